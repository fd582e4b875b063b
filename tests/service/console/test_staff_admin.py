"""The console's staff pages and audit log on both databases: invite with its one-time link, change a role,
deactivate (sessions end at once), revoke a person's tokens and sessions, filter and page the audit log."""

import html
import re
from datetime import timedelta
from uuid import UUID

from accounts.audit import list_audit, record_write
from accounts.staff import authenticate, get_staff, issue_token, set_disabled
from accounts.tables import AuditEvent, ConsoleSession
from core.db import utcnow
from service.console.rendering import TBILISI
from service.console.session import SESSION_COOKIE
from service.console.texts import TEXTS
from service.settings import Settings
from tests.conftest import Database
from tests.service.console.conftest import CSRF_FIELD, PASSWORD, ConsoleClient
from tests.service.console.staff_pages import sign_in_as

WELCOME = re.compile(r'<code class="key" id="welcome-link">([^<]+)</code>')
AUDIT_ROW = re.compile(r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]*)</td>\s*<td>(?:<code>([^<]*)</code>)?</td>")


def _as(console: ConsoleClient, session: str) -> None:
    """Switch the client to another person's browser (their session cookie)."""
    console.cookies.set(SESSION_COOKIE, session, domain="newsroom.test", path="/console")


async def test_the_list_shows_everyone_with_role_and_status(console: ConsoleClient, db: Database) -> None:
    await sign_in_as(console, "admin", name="Admin Person")
    author = await sign_in_as(console, "author", name="Eka Author")
    admin = await sign_in_as(console, "admin", name="Lead Admin")
    await _deactivate_directly(author.id, admin.id)
    page = await console.get("/console/staff/")
    assert page.status_code == 200
    rows = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert 'href="/console/staff/' + str(author.id) + '">eka.author@scmi.test</a>' in rows
    eka = rows.split("eka.author@scmi.test", 1)[1].split("</tr>", 1)[0]
    assert "Author" in eka and "Deactivated" in eka
    lead = rows.split("lead.admin@scmi.test", 1)[1].split("</tr>", 1)[0]
    assert "Administrator" in lead and "Active" in lead


async def _deactivate_directly(staff_id: UUID, by: UUID) -> None:
    await set_disabled(staff_id, True, by=by)


async def test_invite_shows_the_link_once_and_it_opens_the_welcome_page(
    console: ConsoleClient, db: Database, settings: Settings
) -> None:
    admin = await sign_in_as(console, "admin")
    fields = {"email": "Nino@Example.org", "name": "Nino", "role": "editor", "lang": "ka"}
    answer = await console.submit("/console/staff/", "/console/staff/", fields)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    match = WELCOME.search(answer.text)
    assert match
    link = html.unescape(match.group(1))
    assert link.startswith(f"{settings.public_url}/console/welcome/scmiw_")
    assert "nino@example.org" in answer.text and "Editor" in answer.text
    assert "mailed" not in answer.text  # no SMTP_URL: the admin passes the link on
    # The link is nowhere else: not on the list, not on the person's page.
    listing = await console.get("/console/staff/")
    assert link.rsplit("/", 1)[1] not in listing.text
    person_id = re.search(r'href="/console/staff/([0-9a-f-]{36})">nino@example.org', listing.text)
    assert person_id
    person = await console.get(f"/console/staff/{person_id.group(1)}")
    assert link.rsplit("/", 1)[1] not in person.text
    # The invitee opens it (no session of theirs) and sets a password.
    console.cookies.delete(SESSION_COOKIE, domain="newsroom.test", path="/console")
    path = link.removeprefix(settings.public_url)
    assert (await console.submit(path, path, {"password": PASSWORD})).status_code == 303
    events = [item for item in (await list_audit()).items if item.event.startswith("staff.invited")]
    assert [(item.staff_id, item.target, item.event) for item in events] == [
        (admin.id, "nino@example.org", "staff.invited:editor")
    ]
    # A second invitation of someone who already set a password is refused, nothing changed.
    await sign_in_as(console, "admin", name="Other Admin")
    again = await console.submit("/console/staff/", "/console/staff/", {**fields, "role": "admin"})
    assert again.status_code == 409
    assert '<a href="#email">' in again.text
    assert (await get_staff(UUID(person_id.group(1)))).role == "editor"


async def test_invite_refuses_bad_input_with_the_error_summary(console: ConsoleClient, db: Database) -> None:
    await sign_in_as(console, "admin")
    before = len(await _staff_emails(console))
    cases = [
        ({"email": "", "role": "author", "lang": "ka"}, "email"),
        ({"email": "not an address", "role": "author", "lang": "ka"}, "email"),
        ({"email": "a@example.org", "role": "owner", "lang": "ka"}, "role"),
        ({"email": "a@example.org", "role": "author", "lang": "fr"}, "lang"),
        ({"email": "a@example.org", "role": "author", "lang": "ka", "name": "N" * 201}, "name"),
        ({"email": "a" * 330 + "@example.org", "role": "author", "lang": "ka"}, "email"),
        ({"email": "a@example.org", "role": "author", "lang": "ka", "name": "Eka\x00"}, "name"),
    ]
    for fields, field in cases:
        answer = await console.submit("/console/staff/", "/console/staff/", fields)
        assert answer.status_code == 422, fields
        assert f'<a href="#{field}">' in answer.text, fields
        assert f'id="{field}"' in answer.text
    assert len(await _staff_emails(console)) == before


async def _staff_emails(console: ConsoleClient) -> list[str]:
    page = await console.get("/console/staff/")
    return re.findall(r'href="/console/staff/[0-9a-f-]{36}">([^<]+)</a>', page.text)


async def test_change_role_and_never_ones_own(console: ConsoleClient, db: Database) -> None:
    author = await sign_in_as(console, "author", name="Eka Author")
    admin = await sign_in_as(console, "admin")
    page = f"/console/staff/{author.id}"
    changed = await console.submit(page, f"{page}/role", {"role": "editor"})
    assert changed.status_code == 303
    assert changed.headers["location"] == f"{page}?done=role"
    assert (await get_staff(author.id)).role == "editor"
    assert "The role is changed." in (await console.get(changed.headers["location"])).text
    bad = await console.submit(page, f"{page}/role", {"role": "owner"})
    assert bad.status_code == 422 and '<a href="#role">' in bad.text
    assert (await get_staff(author.id)).role == "editor"
    own = f"/console/staff/{admin.id}"
    assert 'action="' + own + '/role"' not in (await console.get(own)).text  # no form for oneself
    refused = await console.submit(page, f"{own}/role", {"role": "author"})
    assert refused.status_code == 409
    assert (await get_staff(admin.id)).role == "admin"
    missing = await console.submit(
        page, "/console/staff/00000000-0000-4000-8000-000000000000/role", {"role": "author"}
    )
    assert missing.status_code == 404


async def test_deactivating_ends_their_sessions_at_once_and_stops_their_tokens(
    console: ConsoleClient, db: Database
) -> None:
    author = await sign_in_as(console, "author", name="Eka Author")
    theirs = console.cookies[SESSION_COOKIE]
    token = (await issue_token(author.id, "script")).token
    assert (await console.get("/console/")).status_code == 200
    await sign_in_as(console, "admin")
    admins = console.cookies[SESSION_COOKIE]
    page = f"/console/staff/{author.id}"
    done = await console.submit(page, f"{page}/status", {"action": "deactivate"})
    assert done.status_code == 303
    assert (await get_staff(author.id)).disabled
    assert await authenticate(token) is None
    _as(console, theirs)
    click = await console.get("/console/news/")
    assert click.status_code == 303 and click.headers["location"] == "/console/sign-in"
    # Reactivated, they sign in afresh: the old browser stays signed out.
    _as(console, admins)
    assert (await console.submit(page, f"{page}/status", {"action": "restore"})).status_code == 303
    assert not (await get_staff(author.id)).disabled
    _as(console, theirs)
    assert (await console.get("/console/")).status_code == 303
    _as(console, admins)
    bad = await console.submit(page, f"{page}/status", {"action": "explode"})
    assert bad.status_code == 422
    steps = [item.event for item in (await list_audit()).items]
    assert "staff.deactivated" in steps and "staff.restored" in steps


async def test_admin_revokes_a_persons_token_and_session(console: ConsoleClient, db: Database) -> None:
    editor = await sign_in_as(console, "editor", name="Nino Editor")
    theirs = console.cookies[SESSION_COOKIE]
    made = await issue_token(editor.id, "website script")
    await sign_in_as(console, "admin")
    page = f"/console/staff/{editor.id}"
    shown = await console.get(page)
    assert "website script" in shown.text
    assert made.token not in shown.text  # only the record, never the secret
    revoke = f"{page}/tokens/{made.token_id}/revoke"
    assert f'action="{revoke}"' in shown.text
    assert (await console.submit(page, revoke, {})).status_code == 303
    assert await authenticate(made.token) is None
    assert f'action="{revoke}"' not in (await console.get(page)).text  # revoked: no button any more
    session_ids = re.findall(rf"{page}/sessions/([0-9a-f-]{{36}})/end", shown.text)
    assert len(session_ids) == 1
    ended = await console.submit(page, f"{page}/sessions/{session_ids[0]}/end", {})
    assert ended.status_code == 303
    _as(console, theirs)
    click = await console.get("/console/")
    assert click.status_code == 303 and click.headers["location"] == "/console/sign-in"
    # Someone else's session or token under this person's address is not found.
    second = await sign_in_as(console, "admin", name="Second Admin")
    other = await ConsoleSession.select(ConsoleSession.id).where(ConsoleSession.staff == second.id).first()
    assert other is not None
    assert (await console.submit(page, f"{page}/sessions/{other['id']}/end", {})).status_code == 404
    assert (await console.get("/console/")).status_code == 200  # that session was not ended


async def test_a_form_without_its_csrf_token_changes_nothing(console: ConsoleClient, db: Database) -> None:
    author = await sign_in_as(console, "author", name="Eka Author")
    await sign_in_as(console, "admin")
    await console.get("/console/staff/")  # the double-submit cookie is set; the field is missing
    for path, fields in (
        (f"/console/staff/{author.id}/role", {"role": "admin"}),
        (f"/console/staff/{author.id}/status", {"action": "deactivate"}),
        ("/console/staff/", {"email": "x@example.org", "role": "admin", "lang": "en"}),
    ):
        answer = await console.post(path, data=fields)
        assert answer.status_code == 403, path
        assert "text/html" in answer.headers["content-type"]
    assert (await get_staff(author.id)).role == "author" and not (await get_staff(author.id)).disabled
    assert "x@example.org" not in await _staff_emails(console)


async def test_editors_and_authors_get_the_refusal_page(console: ConsoleClient, db: Database) -> None:
    for role in ("editor", "author"):
        await sign_in_as(console, role)
        for path in ("/console/staff/", "/console/audit/"):
            answer = await console.get(path)
            assert answer.status_code == 403, (role, path)
            assert TEXTS["ka"]["forbidden_title"] in answer.text  # the refusal page, as elsewhere
        assert 'href="/console/staff/"' not in (await console.get("/console/")).text  # not offered


async def test_audit_log_filters_and_pages(console: ConsoleClient, db: Database, settings: Settings) -> None:
    admin = await sign_in_as(console, "admin", name="Lead Admin")
    editor = await sign_in_as(console, "editor", name="Nino Editor")
    now = utcnow()
    for number in range(60):
        await record_write(
            staff_id=editor.id,
            staff_email="nino.editor@scmi.test",
            method="POST",
            path=f"/api/v1/news/{number}",
            status=201,
            request_id=f"r{number}",
        )
    await record_write(
        staff_id=admin.id,
        staff_email="lead.admin@scmi.test",
        method="POST",
        path="/console/staff/x/role",
        status=200,
        request_id="old",
        detail={"event": "staff.role:editor", "target": str(editor.id)},
    )
    # Ten days ago, in Tbilisi.
    await AuditEvent.update({AuditEvent.at: now - timedelta(days=10)}).where(AuditEvent.request_id == "old")
    await sign_in_as(console, "admin", name="Lead Admin Two")

    everything = await console.get("/console/audit/")
    assert everything.status_code == 200
    rows = AUDIT_ROW.findall(everything.text)
    assert len(rows) == 50
    seen = list(rows)
    older = re.search(r'<a href="([^"]+)" rel="next">', everything.text)
    assert older
    second = await console.get(html.unescape(older.group(1)))
    seen += AUDIT_ROW.findall(second.text)
    assert len(seen) == 61 and not re.search(r'rel="next"', second.text)

    mine = await console.get(f"/console/audit/?who={admin.id}")
    assert [row[2] for row in AUDIT_ROW.findall(mine.text)] == ["staff.role:editor"]
    assert "nino.editor@scmi.test" in mine.text  # the target is named by address
    what = await console.get("/console/audit/?what=news/1")
    assert len(AUDIT_ROW.findall(what.text)) == 11  # 1, 10..19
    step = await console.get("/console/audit/?what=ROLE:")
    assert [row[2] for row in AUDIT_ROW.findall(step.text)] == ["staff.role:editor"]
    assert AUDIT_ROW.findall((await console.get("/console/audit/?what=%25")).text) == []  # % is literal
    day = f"{(now - timedelta(days=10)).astimezone(TBILISI):%Y-%m-%d}"
    then = await console.get(f"/console/audit/?from={day}&to={day}")
    assert [row[2] for row in AUDIT_ROW.findall(then.text)] == ["staff.role:editor"]
    since = await console.get(f"/console/audit/?from={now.astimezone(TBILISI):%Y-%m-%d}&who={editor.id}")
    assert len(AUDIT_ROW.findall(since.text)) == 50

    for query, field in (
        ("who=nobody", "who"),
        ("from=18.12.2026", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-12-10&to=2026-12-01", "to"),
        ("cursor=not-a-cursor", "what"),
    ):
        bad = await console.get(f"/console/audit/?{query}")
        assert bad.status_code == 422, query
        assert f'<a href="#{field}">' in bad.text, query


async def test_audit_page_speaks_georgian(console: ConsoleClient, db: Database) -> None:
    await sign_in_as(console, "admin", lang="ka")
    for path in ("/console/staff/", "/console/audit/", "/console/account/"):
        page = await console.get(path)
        assert page.status_code == 200
        assert '<html lang="ka">' in page.text
    assert "მოქმედებების ჟურნალი" in (await console.get("/console/audit/")).text
    assert CSRF_FIELD.search((await console.get("/console/staff/")).text)
