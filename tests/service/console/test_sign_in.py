"""Console sign-in over HTTP on both databases: welcome link, throttling, CSRF, sessions, audit."""

import re
import sqlite3
from datetime import UTC, datetime

import asyncpg
import pyotp
import pytest

from accounts.audit import list_audit
from accounts.invites import invite_staff
from accounts.staff import change_role
from tests.conftest import Database
from tests.service.console.conftest import PASSWORD, ConsoleClient

KEY = re.compile(r'<code class="key">([A-Z2-7]+)</code>')


async def _editor_with_password(console: ConsoleClient, email: str = "nino@example.org") -> str:
    invitation = await invite_staff(email, "editor", "Nino")
    link = f"/console/welcome/{invitation.token}"
    answer = await console.submit(link, link, {"password": PASSWORD})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in?done=password")
    return email


async def test_welcome_link_refuses_weak_password_then_works_once(
    console: ConsoleClient, db: Database
) -> None:
    invitation = await invite_staff("eka@example.org", "author", "Eka", lang="en")
    link = f"/console/welcome/{invitation.token}"
    weak = await console.submit(link, link, {"password": "password1234"})
    assert weak.status_code == 400
    assert 'href="#password"' in weak.text  # the error summary links to the field
    assert "common passwords" in weak.text
    assert (await console.submit(link, link, {"password": PASSWORD})).status_code == 303
    spent = await console.get(link)
    assert spent.status_code == 404
    assert "ბმული" in spent.text  # no session yet: the page speaks the default language, Georgian


async def test_sign_in_sets_a_strict_cookie_and_opens_the_dashboard(
    console: ConsoleClient, db: Database
) -> None:
    email = await _editor_with_password(console)
    answer = await console.submit(
        "/console/sign-in", "/console/sign-in", {"email": email.upper(), "password": PASSWORD}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/"
    cookie = next(value for key, value in answer.headers.multi_items() if value.startswith("scmi_console="))
    for attribute in ("HttpOnly", "SameSite=lax", "Path=/console", "Secure"):
        assert attribute.lower() in cookie.lower()
    dashboard = await console.get("/console/")
    assert dashboard.status_code == 200
    assert "nino@example.org" in dashboard.text
    assert "script-src" not in dashboard.headers["content-security-policy"]  # default-src 'none' covers it
    assert "default-src 'none'" in dashboard.headers["content-security-policy"]
    assert '<html lang="ka">' in dashboard.text


async def test_wrong_password_and_throttling_answer_pages(console: ConsoleClient, db: Database) -> None:
    email = await _editor_with_password(console)
    for _ in range(5):
        refused = await console.submit(
            "/console/sign-in", "/console/sign-in", {"email": email, "password": "x"}
        )
        assert refused.status_code == 400
        assert 'href="#email"' in refused.text
    throttled = await console.submit(
        "/console/sign-in", "/console/sign-in", {"email": email, "password": PASSWORD}
    )
    assert throttled.status_code == 429
    assert "15" in throttled.text
    assert "<!doctype html>" in throttled.text  # a page, not a stack trace or JSON


async def test_a_form_without_its_csrf_token_is_refused(console: ConsoleClient, db: Database) -> None:
    email = await _editor_with_password(console)
    await console.get("/console/sign-in")  # the CSRF cookie is set, but the form field is missing
    answer = await console.post("/console/sign-in", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]
    assert "scmi_console" not in answer.headers.get("set-cookie", "")


async def test_disabled_staff_lose_their_session_at_once(console: ConsoleClient, db: Database) -> None:
    email = await _editor_with_password(console)
    await console.submit("/console/sign-in", "/console/sign-in", {"email": email, "password": PASSWORD})
    assert (await console.get("/console/")).status_code == 200
    staff_id = (await list_audit()).items[0].staff_id
    assert staff_id is not None
    await change_role(staff_id, "editor", disabled=True)
    answer = await console.get("/console/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in"


async def _write_from_elsewhere(db: Database, sql: str, *values: object) -> None:
    """A write over a connection of its own, as another API process or `scmi staff` would make it:
    nothing in this process hears of it."""
    if db.backend == "sqlite":
        with sqlite3.connect(db.url.removeprefix("sqlite:///")) as connection:
            connection.execute(sql.replace("$1", "?").replace("$2", "?"), values)
    else:
        connection = await asyncpg.connect(db.url)
        try:
            await connection.execute(sql, *values)
        finally:
            await connection.close()


@pytest.mark.parametrize(
    ("change", "sql", "values"),
    [
        ("disabled", "UPDATE staff SET disabled_at = $1 WHERE email = $2", (datetime.now(UTC),)),
        ("signed out everywhere", "UPDATE console_session SET ended_at = $1 WHERE stage = $2", ()),
        ("made an author", "UPDATE staff SET role = $1 WHERE email = $2", ("author",)),
    ],
    ids=["disabled", "signed-out-everywhere", "made-an-author"],
)
async def test_a_change_made_in_another_process_counts_from_the_next_request(
    console: ConsoleClient, db: Database, change: str, sql: str, values: tuple[object, ...]
) -> None:
    email = await _editor_with_password(console)
    await console.submit("/console/sign-in", "/console/sign-in", {"email": email, "password": PASSWORD})
    assert (await console.get("/console/")).status_code == 200  # the session is now remembered here
    assert (await console.get("/console/campaigns/")).status_code == 200  # an editor's page
    second = "signed_in" if change == "signed out everywhere" else email
    await _write_from_elsewhere(db, sql, *(values or (datetime.now(UTC),)), second)
    if change == "made an author":
        assert (await console.get("/console/campaigns/")).status_code == 403
        assert (await console.get("/console/")).status_code == 200
    else:
        answer = await console.get("/console/")
        assert answer.status_code == 303, change
        assert answer.headers["location"] == "/console/sign-in"


async def test_admin_sets_up_totp_then_needs_a_code(console: ConsoleClient, db: Database) -> None:
    invitation = await invite_staff("admin@example.org", "admin", "Admin", lang="en")
    link = f"/console/welcome/{invitation.token}"
    await console.submit(link, link, {"password": PASSWORD})
    step = await console.submit(
        "/console/sign-in", "/console/sign-in", {"email": "admin@example.org", "password": PASSWORD}
    )
    assert step.headers["location"] == "/console/second-factor"
    assert (await console.get("/console/")).status_code == 303  # not signed in before the second factor
    setup = await console.get("/console/second-factor")
    match = KEY.search(setup.text)
    assert match
    assert "<svg" in setup.text  # the QR code is drawn inline
    secret = match.group(1)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', setup.text)
    assert token
    codes = await console.post(
        "/console/second-factor",
        data={"_csrf_token": token.group(1), "secret": secret, "code": pyotp.TOTP(secret).now()},
    )
    assert codes.status_code == 200
    assert codes.text.count("<li>") >= 10
    assert (await console.get("/console/")).status_code == 200
    # Sign out, and back in: now the code step comes after the password, and set-up is not offered.
    await console.submit("/console/", "/console/sign-out", {})
    assert (await console.get("/console/")).status_code == 303
    again = await console.submit(
        "/console/sign-in", "/console/sign-in", {"email": "admin@example.org", "password": PASSWORD}
    )
    assert again.headers["location"] == "/console/sign-in/code"
    assert (await console.get("/console/second-factor")).status_code == 302
    recovery = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", codes.text)
    answer = await console.submit("/console/sign-in/code", "/console/sign-in/code", {"code": recovery[0]})
    assert answer.status_code == 303
    assert (await console.get("/console/")).status_code == 200


async def test_sign_out_everywhere_and_the_audit_log(console: ConsoleClient, db: Database) -> None:
    email = await _editor_with_password(console)
    await console.submit("/console/sign-in", "/console/sign-in", {"email": email, "password": "wrong"})
    await console.submit("/console/sign-in", "/console/sign-in", {"email": email, "password": PASSWORD})
    answer = await console.submit("/console/", "/console/sign-out-everywhere", {})
    assert answer.status_code == 303
    assert (await console.get("/console/")).status_code == 303
    events = [item.path for item in (await list_audit()).items]
    assert events.count("/console/sign-in") == 2  # the failure and the sign-in
    assert "/console/sign-out-everywhere" in events
