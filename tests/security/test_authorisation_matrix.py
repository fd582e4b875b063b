"""Every route of the app, tried by anonymous, author, editor and admin: guards hold, none escapes the table."""

import re
import uuid

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from content.kinds import KINDS
from service.app import create_app
from service.console.campaigns import PROGRESS_SCRIPT_PATH
from service.console.media_library import UPLOAD_SCRIPT_PATH
from service.console.rendering import STYLESHEET_PATH
from service.console.session import SESSION_COOKIE
from service.settings import Settings
from tests.conftest import Database, Staff, running

ROLES = ("anonymous", "author", "editor", "admin")
RANK = {role: rank for rank, role in enumerate(ROLES)}
PUBLIC = "anonymous"

# The minimum role of every route and method. A new route fails this test until it is added here.
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/api/v1/topics"): PUBLIC,
    ("POST", "/api/v1/topics"): "editor",
    ("PATCH", "/api/v1/topics/{slug:str}"): "editor",
    ("GET", "/api/v1/me"): "author",
    ("PATCH", "/api/v1/me"): "author",
    ("GET", "/api/v1/staff"): "admin",
    ("POST", "/api/v1/staff"): "admin",
    ("PATCH", "/api/v1/staff/{staff_id:uuid}"): "admin",
    ("GET", "/api/v1/staff/{staff_id:uuid}/tokens"): "admin",
    ("POST", "/api/v1/staff/{staff_id:uuid}/tokens"): "admin",
    ("DELETE", "/api/v1/staff/{staff_id:uuid}/tokens/{token_id:uuid}"): "admin",
    ("GET", "/api/v1/audit"): "admin",
    ("GET", "/api/v1/media"): PUBLIC,
    ("POST", "/api/v1/media"): "author",
    ("GET", "/api/v1/media/{asset_id:uuid}"): PUBLIC,
    ("PATCH", "/api/v1/media/{asset_id:uuid}"): "author",
    ("GET", "/api/v1/media/{asset_id:uuid}/file"): PUBLIC,
    ("GET", "/api/v1/media/{asset_id:uuid}/renditions/{name:str}"): PUBLIC,
    ("GET", "/api/v1/feeds"): PUBLIC,
    ("GET", "/feeds/{lang:str}/{name:str}"): PUBLIC,
    ("GET", "/feeds/{lang:str}/topics/{name:str}"): PUBLIC,
    ("POST", "/api/v1/subscriptions"): PUBLIC,
    ("GET", "/subscriptions/confirm/{token:str}"): PUBLIC,
    ("POST", "/subscriptions/confirm/{token:str}"): PUBLIC,
    ("GET", "/subscriptions/{lang:str}"): PUBLIC,
    ("POST", "/subscriptions/{lang:str}"): PUBLIC,
    ("GET", "/subscriptions/{lang:str}/{list_slug:str}"): PUBLIC,
    ("POST", "/subscriptions/{lang:str}/{list_slug:str}"): PUBLIC,
    ("GET", "/subscriptions/unsubscribe/{token:str}"): PUBLIC,
    ("POST", "/subscriptions/unsubscribe/{token:str}"): PUBLIC,
    ("GET", "/subscriptions/preferences/{token:str}"): PUBLIC,
    ("POST", "/subscriptions/preferences/{token:str}"): PUBLIC,
    # Editors read lists (names, counts) to target a campaign; who is on them stays the admins'.
    ("GET", "/api/v1/lists"): "editor",
    ("POST", "/api/v1/lists"): "admin",
    ("GET", "/api/v1/lists/{slug:str}"): "editor",
    ("PATCH", "/api/v1/lists/{slug:str}"): "admin",
    ("GET", "/api/v1/subscribers"): "admin",
    ("POST", "/api/v1/subscribers"): "admin",
    ("GET", "/api/v1/subscribers/export"): "admin",
    ("POST", "/api/v1/subscribers/import"): "admin",
    ("GET", "/api/v1/subscribers/{subscriber_id:uuid}"): "admin",
    ("PATCH", "/api/v1/subscribers/{subscriber_id:uuid}"): "admin",
    ("DELETE", "/api/v1/subscribers/{subscriber_id:uuid}"): "admin",
    ("GET", "/api/v1/subscribers/{subscriber_id:uuid}/consent"): "admin",
    ("GET", "/newsletters/{lang:str}"): PUBLIC,
    ("GET", "/newsletters/{lang:str}/{slug:str}"): PUBLIC,
    ("GET", "/newsletters/{lang:str}/{slug:str}/mail"): PUBLIC,
    ("GET", "/{lang:str}/{kind:str}/{slug:str}"): PUBLIC,
    ("GET", "/sitemap.xml"): PUBLIC,
    ("GET", "/sitemaps/{name:str}"): PUBLIC,
    ("GET", "/api/v1/templates"): "editor",
    ("POST", "/api/v1/templates"): "editor",
    ("GET", "/api/v1/templates/{ref:str}"): "editor",
    ("PUT", "/api/v1/templates/{ref:str}"): "editor",
    ("POST", "/api/v1/templates/{ref:str}/preview"): "editor",
    ("GET", "/api/v1/campaigns"): "editor",
    ("POST", "/api/v1/campaigns"): "editor",
    ("POST", "/api/v1/campaigns/digest"): "editor",
    ("GET", "/api/v1/campaigns/{ref:str}"): "editor",
    ("PUT", "/api/v1/campaigns/{ref:str}"): "editor",
    ("POST", "/api/v1/campaigns/{ref:str}/test"): "editor",
    ("POST", "/api/v1/campaigns/{ref:str}/send"): "editor",
    ("POST", "/api/v1/campaigns/{ref:str}/pause"): "editor",
    ("POST", "/api/v1/campaigns/{ref:str}/resume"): "editor",
    ("POST", "/api/v1/campaigns/{ref:str}/cancel"): "editor",
    ("GET", "/api/v1/webhooks"): "admin",
    ("POST", "/api/v1/webhooks"): "admin",
    ("GET", "/api/v1/webhooks/{endpoint_id:uuid}"): "admin",
    ("PATCH", "/api/v1/webhooks/{endpoint_id:uuid}"): "admin",
    ("DELETE", "/api/v1/webhooks/{endpoint_id:uuid}"): "admin",
    ("GET", "/api/v1/webhooks/{endpoint_id:uuid}/deliveries"): "admin",
    ("POST", "/api/v1/webhooks/{endpoint_id:uuid}/deliveries/{delivery_id:uuid}/redeliver"): "admin",
    ("POST", "/api/v1/webhooks/{endpoint_id:uuid}/ping"): "admin",
    ("GET", "/api/v1/campaigns/{ref:str}/bounces"): "editor",
    # The mail services' webhook checks BOUNCE_WEBHOOK_TOKEN, not a staff token (unset here: 404).
    ("POST", "/api/v1/bounces"): PUBLIC,
    ("GET", "/api/v1/bounces"): "admin",
    # The mail services' own webhooks check the provider's signature (unconfigured here: 404).
    ("POST", "/hooks/{provider:str}"): PUBLIC,
    # Whoever holds a preview token; search is the public's.
    ("GET", "/api/v1/preview/{token:str}"): PUBLIC,
    ("GET", "/api/v1/search"): PUBLIC,
    # Whoever holds a journalist's personal link (an unknown one is a 404 page).
    ("GET", "/press/{token:str}"): PUBLIC,
    # Event registration: anyone registers, the token holder sees and acts; editors see and decide.
    ("POST", "/api/v1/events/{ref:str}/registrations"): PUBLIC,
    ("GET", "/events/{lang:str}/{slug:str}/register"): PUBLIC,
    ("POST", "/events/{lang:str}/{slug:str}/register"): PUBLIC,
    ("GET", "/registrations/{token:str}"): PUBLIC,
    ("POST", "/registrations/{token:str}"): PUBLIC,
    ("GET", "/registrations/{token:str}/event-mail"): PUBLIC,
    ("POST", "/registrations/{token:str}/event-mail"): PUBLIC,
    ("GET", "/api/v1/events/{ref:str}/registrations"): "editor",
    ("GET", "/api/v1/events/{ref:str}/registrations/export"): "editor",
    ("POST", "/api/v1/events/{ref:str}/registrations/mail"): "editor",
    ("POST", "/api/v1/events/{ref:str}/registrations/{registration_id:uuid}/accredit"): "editor",
    ("POST", "/api/v1/events/{ref:str}/registrations/{registration_id:uuid}/check-in"): "editor",
    ("POST", "/api/v1/events/{ref:str}/registrations/{registration_id:uuid}/cancel"): "editor",
}
for kind in ("news", "events", "announcements", "materials"):
    EXPECTED |= {
        ("GET", f"/api/v1/{kind}"): PUBLIC,
        ("POST", f"/api/v1/{kind}"): "author",
        ("GET", f"/api/v1/{kind}/{{ref:str}}"): PUBLIC,
        ("PATCH", f"/api/v1/{kind}/{{ref:str}}"): "author",
        ("DELETE", f"/api/v1/{kind}/{{ref:str}}"): "editor",
        ("POST", f"/api/v1/{kind}/{{ref:str}}/publish"): "editor",
        ("POST", f"/api/v1/{kind}/{{ref:str}}/unpublish"): "editor",
        ("GET", f"/api/v1/{kind}/{{ref:str}}/revisions"): "author",
        ("POST", f"/api/v1/{kind}/{{ref:str}}/preview-link"): "author",
        ("DELETE", f"/api/v1/{kind}/{{ref:str}}/preview-link"): "author",
        # The editorial workflow: authors submit and take part in the conversation; editors decide.
        ("GET", f"/api/v1/{kind}/{{ref:str}}/revisions/{{number:int}}"): "author",
        ("POST", f"/api/v1/{kind}/{{ref:str}}/revisions/{{number:int}}/restore"): "editor",
        ("POST", f"/api/v1/{kind}/{{ref:str}}/submit"): "author",
        ("POST", f"/api/v1/{kind}/{{ref:str}}/request-changes"): "editor",
        ("GET", f"/api/v1/{kind}/{{ref:str}}/comments"): "author",
        ("POST", f"/api/v1/{kind}/{{ref:str}}/comments"): "author",
        # Embargoed material for the press: editors give it, see who opened it, withdraw it.
        ("POST", f"/api/v1/{kind}/{{ref:str}}/embargo-access"): "editor",
        ("GET", f"/api/v1/{kind}/{{ref:str}}/embargo-access"): "editor",
        ("DELETE", f"/api/v1/{kind}/{{ref:str}}/embargo-access/{{grant_id:uuid}}"): "editor",
        # Clearing an outdated mark: whoever may edit the entry (an author: their own drafts).
        ("POST", f"/api/v1/{kind}/{{ref:str}}/translations/{{lang:str}}/current"): "author",
    }

# Console routes (HTML, session cookie, CSRF): the minimum role, or PUBLIC for the sign-in pages.
CONSOLE: dict[tuple[str, str], str] = {
    ("GET", "/console/sign-in"): PUBLIC,
    ("POST", "/console/sign-in"): PUBLIC,
    ("GET", "/console/sign-in/code"): PUBLIC,
    ("POST", "/console/sign-in/code"): PUBLIC,
    ("GET", "/console/second-factor"): PUBLIC,
    ("POST", "/console/second-factor"): PUBLIC,
    ("GET", "/console/welcome/{token:str}"): PUBLIC,
    ("POST", "/console/welcome/{token:str}"): PUBLIC,
    ("POST", "/console/sign-out"): PUBLIC,
    ("POST", "/console/sign-out-everywhere"): "author",
    ("POST", "/console/language"): "author",
    ("GET", "/console"): "author",
    ("GET", STYLESHEET_PATH): PUBLIC,
    # The media library (author+, as the API's media routes)
    ("GET", "/console/media"): "author",
    ("POST", "/console/media"): "author",
    ("GET", "/console/media/{asset_id:uuid}"): "author",
    ("POST", "/console/media/{asset_id:uuid}"): "author",
    ("GET", "/console/media/{asset_id:uuid}/file"): "author",
    ("GET", "/console/media/{asset_id:uuid}/renditions/{name:str}"): "author",
    ("GET", UPLOAD_SCRIPT_PATH): PUBLIC,
    ("GET", "/console/topics"): "author",
    ("POST", "/console/topics"): "editor",
    ("GET", "/console/topics/{slug:str}"): "editor",
    ("POST", "/console/topics/{slug:str}"): "editor",
    ("GET", "/console/thumbnails/{asset_id:uuid}"): "author",
    # The campaign pages (service/console/campaigns.py): editors and admins, as the API's campaigns.
    ("GET", PROGRESS_SCRIPT_PATH): PUBLIC,
    ("GET", "/console/campaigns"): "editor",
    ("GET", "/console/campaigns/new"): "editor",
    ("POST", "/console/campaigns/new"): "editor",
    ("GET", "/console/campaigns/{campaign_id:uuid}"): "editor",
    ("POST", "/console/campaigns/{campaign_id:uuid}"): "editor",
    ("GET", "/console/campaigns/{campaign_id:uuid}/preview/{lang:str}"): "editor",
    ("GET", "/console/campaigns/{campaign_id:uuid}/preview/{lang:str}/mail"): "editor",
    ("POST", "/console/campaigns/{campaign_id:uuid}/test"): "editor",
    ("POST", "/console/campaigns/{campaign_id:uuid}/send"): "editor",
    ("POST", "/console/campaigns/{campaign_id:uuid}/status"): "editor",
    ("POST", "/console/campaigns/digest"): "editor",
    # The template pages (service/console/template_pages.py): editors and admins, as the API's templates.
    ("GET", "/console/templates"): "editor",
    ("GET", "/console/templates/new"): "editor",
    ("POST", "/console/templates/new"): "editor",
    ("GET", "/console/templates/{slug:str}"): "editor",
    ("POST", "/console/templates/{slug:str}"): "editor",
    ("GET", "/console/templates/{slug:str}/preview/{lang:str}"): "editor",
    ("GET", "/console/templates/{slug:str}/preview/{lang:str}/mail"): "editor",
    # The entry editor of each kind (service/console/entry_editor.py): authors write their own drafts.
    **{
        (method, f"/console/{kind}{path}"): "author"
        for kind in KINDS
        for method, path in (
            ("GET", "/new"),
            ("POST", "/new"),
            ("GET", "/{entry_id:uuid}"),
            ("POST", "/{entry_id:uuid}"),
            ("GET", "/{entry_id:uuid}/revisions"),
            ("POST", "/{entry_id:uuid}/preview-link"),
            # The review buttons and the conversation (the buttons check role and ownership inside).
            ("POST", "/{entry_id:uuid}/review"),
            ("POST", "/{entry_id:uuid}/comments"),
            # "Mark as current" beside an outdated translation (whoever may edit the entry).
            ("POST", "/{entry_id:uuid}/translations/{lang:str}/current"),
        )
    },
    **{
        ("POST", f"/console/{kind}/{{entry_id:uuid}}/revisions/{{number:int}}/restore"): "editor"
        for kind in KINDS
    },
    # The editor's press access section (service/console/press_access.py): editors and admins, as the API.
    **{
        (method, f"/console/{kind}{path}"): "editor"
        for kind in KINDS
        for method, path in (
            ("POST", "/{entry_id:uuid}/press-access"),
            ("POST", "/{entry_id:uuid}/press-access/{grant_id:uuid}/revoke"),
        )
    },
}
CONSOLE |= {
    ("GET", f"/console/{kind}"): "author" for kind in ("news", "events", "announcements", "materials")
}
# Lists and subscribers (service/console/subscriber_pages.py): admin only, as the API's changes and
# everything about subscribers.
CONSOLE |= {
    ("GET", "/console/lists"): "admin",
    ("POST", "/console/lists"): "admin",
    ("GET", "/console/lists/{slug:str}"): "admin",
    ("POST", "/console/lists/{slug:str}"): "admin",
    ("GET", "/console/subscribers"): "admin",
    ("GET", "/console/subscribers/new"): "admin",
    ("POST", "/console/subscribers/new"): "admin",
    ("GET", "/console/subscribers/{subscriber_id:uuid}"): "admin",
    ("POST", "/console/subscribers/{subscriber_id:uuid}"): "admin",
    ("GET", "/console/subscribers/{subscriber_id:uuid}/erase"): "admin",
    ("POST", "/console/subscribers/{subscriber_id:uuid}/erase"): "admin",
    ("GET", "/console/subscribers/import"): "admin",
    ("POST", "/console/subscribers/import"): "admin",
    ("POST", "/console/subscribers/import/refusals"): "admin",
    ("GET", "/console/subscribers/import/{run_id:uuid}"): "admin",
    ("GET", "/console/subscribers/export"): "admin",
    # An event's registrations and the check-in at the door: editors, as the API's.
    ("GET", "/console/events/{entry_id:uuid}/registrations"): "editor",
    ("GET", "/console/events/{entry_id:uuid}/registrations/export"): "editor",
    ("POST", "/console/events/{entry_id:uuid}/registrations/mail"): "editor",
    ("POST", "/console/events/{entry_id:uuid}/registrations/{registration_id:uuid}/check-in"): "editor",
}
# Staff and the audit log (service/console/staff_admin.py, audit_log.py): admin only, as the API's.
CONSOLE |= {
    ("GET", "/console/staff"): "admin",
    ("POST", "/console/staff"): "admin",
    ("GET", "/console/staff/{staff_id:uuid}"): "admin",
    ("POST", "/console/staff/{staff_id:uuid}/role"): "admin",
    ("POST", "/console/staff/{staff_id:uuid}/status"): "admin",
    ("POST", "/console/staff/{staff_id:uuid}/tokens/{token_id:uuid}/revoke"): "admin",
    ("POST", "/console/staff/{staff_id:uuid}/sessions/{session_id:uuid}/end"): "admin",
    ("GET", "/console/audit"): "admin",
}
# My account (service/console/my_account.py): everyone signed in, each on their own things.
CONSOLE |= {
    ("GET", "/console/account"): "author",
    ("POST", "/console/account/language"): "author",
    ("POST", "/console/account/password"): "author",
    ("POST", "/console/account/recovery-codes"): "author",
    ("POST", "/console/account/sessions/{session_id:uuid}/end"): "author",
    ("POST", "/console/account/sessions/end-others"): "author",
    ("POST", "/console/account/tokens"): "author",
    ("POST", "/console/account/tokens/{token_id:uuid}/revoke"): "author",
    ("POST", "/console/account/review-mails"): "author",
}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/schema"):
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            found.add((method, route.path))
    return found


def test_every_route_is_in_the_table(settings: Settings) -> None:
    routes = app_routes(create_app(settings))
    assert routes - set(EXPECTED) - set(CONSOLE) == set(), "new routes need a line in EXPECTED or CONSOLE"
    assert set(EXPECTED) - routes == set(), "EXPECTED names routes that no longer exist"
    assert set(CONSOLE) - routes == set(), "CONSOLE names routes that no longer exist"


def concrete(path: str) -> str:
    # An int parameter (a revision number) takes a number, every other one an id that names nothing.
    return re.sub(r"{[^}]+}", lambda m: "1" if m.group(0).endswith(":int}") else str(uuid.uuid4()), path)


async def test_guards_of_every_route(client: httpx.AsyncClient, staff: Staff) -> None:
    failures: list[str] = []
    for method, path in sorted(EXPECTED):
        minimum = EXPECTED[(method, path)]
        for role in ROLES:
            headers = {} if role == "anonymous" else staff.headers(role)
            body = {} if method in {"POST", "PATCH", "PUT"} else None
            response = await client.request(method, concrete(path), headers=headers, json=body)
            status = response.status_code
            if RANK[role] >= RANK[minimum]:
                if status in (401, 403) or status >= 500:
                    failures.append(f"{role} {method} {path}: {status} but should pass the guard")
            elif status != (401 if role == "anonymous" else 403):
                failures.append(f"{role} {method} {path}: {status} but needs {minimum}")
            elif not response.headers["content-type"].startswith("application/problem+json"):
                failures.append(f"{role} {method} {path}: refusal is not problem+json")
    assert failures == []


async def test_console_routes_need_a_session_of_the_role(settings: Settings, db: Database) -> None:
    """Without a session a console page sends the browser to sign in; with one of any role it opens.

    The CSRF check runs before the guard, so the write routes are tried with the form's token.
    """
    staff_ids = {PUBLIC: None} | {
        role: (await invite_staff(f"console-{role}@scmi.test", role)).staff_id
        for role in ("author", "editor", "admin")
    }
    app = create_app(settings)
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://testserver.local"
        ) as client,
    ):
        failures = await _console_failures(client, staff_ids)
    assert failures == []


async def _console_failures(client: httpx.AsyncClient, staff_ids: dict[str, uuid.UUID | None]) -> list[str]:
    failures: list[str] = []
    for method, path in sorted(CONSOLE):
        minimum = CONSOLE[(method, path)]
        for role in ROLES:
            if role not in staff_ids:
                continue
            client.cookies.clear()
            staff_id = staff_ids[role]
            if staff_id is not None:  # a session of its own for each request: sign-out ends one
                session = await start_session(staff_id, stage="signed_in")
                client.cookies.set(SESSION_COOKIE, session, domain="testserver.local", path="/console")
            data: dict[str, str] = {}
            if method == "POST":
                # Any console answer sets the double-submit cookie, whose value is itself a valid token.
                await client.get("/console/sign-in")
                data = {"_csrf_token": client.cookies["scmi_csrf"]}
            response = await client.request(method, concrete(path), data=data or None)
            status = response.status_code
            signed_in_below = staff_id is not None and RANK[role] < RANK[minimum]
            if status >= 500 or (status == 403 and not signed_in_below):
                failures.append(f"{role} {method} {path}: {status}")
            elif signed_in_below:  # signed in, but the role is too low: the console's refusal page
                if status != 403:
                    failures.append(f"{role} {method} {path}: {status} but needs {minimum}")
            elif RANK[role] < RANK[minimum] and not (
                status == 303 and response.headers["location"] == "/console/sign-in"
            ):
                failures.append(f"{role} {method} {path}: {status} but needs a signed-in {minimum}")
            elif (
                RANK[role] >= RANK[minimum]
                and minimum != PUBLIC
                and response.headers.get("location") == "/console/sign-in"
            ):
                failures.append(f"{role} {method} {path}: sent to sign in though signed in")
    return failures
