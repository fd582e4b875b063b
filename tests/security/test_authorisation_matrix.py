"""Every route of the app, tried by anonymous, author, editor and admin: guards hold, none escapes the table."""

import re
import uuid

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from service.app import create_app
from service.settings import Settings
from tests.conftest import Staff

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
    ("GET", "/api/v1/me"): "author",
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
    ("GET", "/subscriptions/unsubscribe/{token:str}"): PUBLIC,
    ("POST", "/subscriptions/unsubscribe/{token:str}"): PUBLIC,
    ("GET", "/subscriptions/preferences/{token:str}"): PUBLIC,
    ("POST", "/subscriptions/preferences/{token:str}"): PUBLIC,
    ("GET", "/api/v1/lists"): "admin",
    ("POST", "/api/v1/lists"): "admin",
    ("GET", "/api/v1/lists/{slug:str}"): "admin",
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
    ("GET", "/{lang:str}/{kind:str}/{slug:str}"): PUBLIC,
    ("GET", "/sitemap.xml"): PUBLIC,
    ("GET", "/api/v1/templates"): "editor",
    ("POST", "/api/v1/templates"): "editor",
    ("GET", "/api/v1/templates/{ref:str}"): "editor",
    ("PUT", "/api/v1/templates/{ref:str}"): "editor",
    ("POST", "/api/v1/templates/{ref:str}/preview"): "editor",
    ("GET", "/api/v1/campaigns"): "editor",
    ("POST", "/api/v1/campaigns"): "editor",
    ("POST", "/api/v1/campaigns/digest"): "editor",
    ("GET", "/api/v1/campaigns/{campaign_id:uuid}"): "editor",
    ("PUT", "/api/v1/campaigns/{campaign_id:uuid}"): "editor",
    ("POST", "/api/v1/campaigns/{campaign_id:uuid}/test"): "editor",
    ("POST", "/api/v1/campaigns/{campaign_id:uuid}/send"): "editor",
    ("POST", "/api/v1/campaigns/{campaign_id:uuid}/pause"): "editor",
    ("POST", "/api/v1/campaigns/{campaign_id:uuid}/resume"): "editor",
    ("POST", "/api/v1/campaigns/{campaign_id:uuid}/cancel"): "editor",
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
    assert routes - set(EXPECTED) == set(), "new routes need a line in EXPECTED"
    assert set(EXPECTED) - routes == set(), "EXPECTED names routes that no longer exist"


def concrete(path: str) -> str:
    return re.sub(r"{[^}]+}", lambda _: str(uuid.uuid4()), path)


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
