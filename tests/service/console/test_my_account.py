"""My account on both databases: language, password change, recovery codes, my sessions, my API tokens and
the review-mail box, each refusing bad input with the error summary and nothing written."""

import html
import re
from uuid import UUID

import pyotp

from accounts.console_sessions import start_session
from accounts.invites import accept_invite, invite_staff
from accounts.second_factor import new_secret
from accounts.sign_in import SignInRefused, check_password, check_second_factor, enable_second_factor
from accounts.staff import authenticate, issue_token
from accounts.tables import ApiToken, ConsoleSession, StaffCredential
from service.console.session import SESSION_COOKIE
from tests.conftest import Database
from tests.service.console.conftest import PASSWORD, ConsoleClient
from tests.service.console.staff_pages import sign_in_as

NEW_PASSWORD = "ზღვისპირა-ქალაქი-ბათუმი-1878"
CODES = re.compile(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")
NEW_TOKEN = re.compile(r'<code class="key" id="new-token">([^<]+)</code>')


async def _person(console: ConsoleClient, role: str = "author", email: str = "eka@example.org") -> UUID:
    """A staff member with a password, signed in on `console`."""
    invitation = await invite_staff(email, role, "Eka", lang="en")
    await accept_invite(invitation.token, PASSWORD)
    session = await start_session(invitation.staff_id, stage="signed_in", user_agent="first browser")
    console.cookies.set(SESSION_COOKIE, session, domain="newsroom.test", path="/console")
    return invitation.staff_id


async def _open_sessions(staff_id: UUID) -> int:
    return int(
        await ConsoleSession.count().where(
            (ConsoleSession.staff == staff_id) & ConsoleSession.ended_at.is_null()
        )
    )


async def test_the_page_and_the_language(console: ConsoleClient, db: Database) -> None:
    staff_id = await _person(console)
    page = await console.get("/console/account/")
    assert page.status_code == 200
    assert "eka@example.org" in page.text and '<html lang="en">' in page.text
    assert 'href="/console/account/"' in page.text  # in the header, for everyone
    bad = await console.submit("/console/account/", "/console/account/language", {"lang": "fr"})
    assert bad.status_code == 422 and '<a href="#lang">' in bad.text
    done = await console.submit("/console/account/", "/console/account/language", {"lang": "ka"})
    assert done.status_code == 303
    row = (
        await StaffCredential.select(StaffCredential.interface_lang)
        .where(StaffCredential.staff == staff_id)
        .first()
    )
    assert row == {"interface_lang": "ka"}
    assert '<html lang="ka">' in (await console.get("/console/account/")).text


async def test_password_change_needs_the_current_one_and_the_rules(
    console: ConsoleClient, db: Database
) -> None:
    staff_id = await _person(console)
    other = await start_session(staff_id, stage="signed_in", user_agent="phone")
    cases = [
        (
            {"current_password": "wrong", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
            "current_password",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"},
            "new_password",
        ),
        (
            {
                "current_password": PASSWORD,
                "new_password": "password1234",
                "new_password_again": "password1234",
            },
            "new_password",
        ),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": "other"},
            "new_password_again",
        ),
    ]
    for fields, field in cases:
        answer = await console.submit("/console/account/", "/console/account/password", fields)
        assert answer.status_code == 422, fields
        assert f'<a href="#{field}">' in answer.text, fields
        assert PASSWORD not in answer.text and NEW_PASSWORD not in answer.text  # never echoed
    assert (await check_password("eka@example.org", PASSWORD, ip="")).staff_id == staff_id
    assert (
        "common passwords"
        in (await console.submit("/console/account/", "/console/account/password", cases[2][0])).text
    )
    fields = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    done = await console.submit("/console/account/", "/console/account/password", fields)
    assert done.status_code == 303 and done.headers["location"] == "/console/account/?done=password"
    assert (await check_password("eka@example.org", NEW_PASSWORD, ip="")).staff_id == staff_id
    try:
        await check_password("eka@example.org", PASSWORD, ip="")
        raise AssertionError("the old password still works")
    except SignInRefused:
        pass
    # This browser stays; the other one is signed out.
    assert (await console.get("/console/account/")).status_code == 200
    console.cookies.set(SESSION_COOKIE, other, domain="newsroom.test", path="/console")
    assert (await console.get("/console/")).headers["location"] == "/console/sign-in"


async def test_recovery_codes_are_renewed_once_shown_and_the_old_ones_die(
    console: ConsoleClient, db: Database
) -> None:
    staff_id = await _person(console, "admin")
    page = await console.get("/console/account/")
    assert 'href="/console/second-factor"' in page.text
    secret = new_secret()
    old_codes = await enable_second_factor(staff_id, secret, pyotp.TOTP(secret).now())
    page = await console.get("/console/account/")
    assert "Recovery codes left: 10." in page.text
    wrong = await console.submit(
        "/console/account/", "/console/account/recovery-codes", {"code_password": "nope"}
    )
    assert wrong.status_code == 422 and '<a href="#code_password">' in wrong.text
    renewed = await console.submit(
        "/console/account/", "/console/account/recovery-codes", {"code_password": PASSWORD}
    )
    assert renewed.status_code == 200
    assert renewed.headers["cache-control"] == "no-store"
    codes = CODES.findall(renewed.text)
    assert len(codes) == 10 and not set(codes) & set(old_codes)
    try:
        await check_second_factor(staff_id, old_codes[0], ip="")
        raise AssertionError("an old recovery code still works")
    except SignInRefused:
        pass
    await check_second_factor(staff_id, codes[0], ip="")
    assert "Recovery codes left: 9." in (await console.get("/console/account/")).text


async def test_recovery_codes_need_a_second_factor(console: ConsoleClient, db: Database) -> None:
    await _person(console)
    page = await console.get("/console/account/")
    assert 'action="/console/account/recovery-codes"' not in page.text  # offered once TOTP is on
    answer = await console.post(
        "/console/account/recovery-codes",
        data={
            "_csrf_token": re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1),  # type: ignore[union-attr]
            "code_password": PASSWORD,
        },
    )
    assert answer.status_code == 409 and '<a href="#code_password">' in answer.text


async def test_my_sessions_end_one_or_all_others(console: ConsoleClient, db: Database) -> None:
    staff_id = await _person(console)
    phone = await start_session(staff_id, stage="signed_in", user_agent="phone browser")
    await start_session(staff_id, stage="signed_in", user_agent="laptop browser")
    page = await console.get("/console/account/")
    assert "phone browser" in page.text and "laptop browser" in page.text and "This browser" in page.text
    ends = re.findall(r'action="/console/account/sessions/([0-9a-f-]{36})/end"', page.text)
    assert len(ends) == 2  # the two others; this one has no button of its own
    phone_id = (
        await ConsoleSession.select(ConsoleSession.id)
        .where(ConsoleSession.user_agent == "phone browser")
        .first()
    )
    assert phone_id is not None
    answer = await console.submit("/console/account/", f"/console/account/sessions/{phone_id['id']}/end", {})
    assert answer.status_code == 303
    console_cookie = console.cookies[SESSION_COOKIE]
    console.cookies.set(SESSION_COOKIE, phone, domain="newsroom.test", path="/console")
    assert (await console.get("/console/")).headers["location"] == "/console/sign-in"
    console.cookies.set(SESSION_COOKIE, console_cookie, domain="newsroom.test", path="/console")
    assert await _open_sessions(staff_id) == 2
    # Someone else's session is not mine to end.
    other = await invite_staff("other@example.org", "editor")
    await start_session(other.staff_id, stage="signed_in")
    theirs = (
        await ConsoleSession.select(ConsoleSession.id).where(ConsoleSession.staff == other.staff_id).first()
    )
    assert theirs is not None
    refused = await console.submit("/console/account/", f"/console/account/sessions/{theirs['id']}/end", {})
    assert refused.status_code == 404
    assert await _open_sessions(other.staff_id) == 1
    assert (
        await console.submit("/console/account/", "/console/account/sessions/end-others", {})
    ).status_code == 303
    assert await _open_sessions(staff_id) == 1
    assert (await console.get("/console/account/")).status_code == 200


async def test_my_tokens_are_shown_once_and_revoked(console: ConsoleClient, db: Database) -> None:
    staff_id = await _person(console)
    for label in ("", "   ", "L" * 201, "nul\x00", "two\r\nlines"):
        bad = await console.submit("/console/account/", "/console/account/tokens", {"label": label})
        assert bad.status_code == 422 and '<a href="#label">' in bad.text
    made = await console.submit("/console/account/", "/console/account/tokens", {"label": "website <script>"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    token = html.unescape(NEW_TOKEN.search(made.text).group(1))  # type: ignore[union-attr]
    assert "website &lt;script&gt;" in made.text
    who = await authenticate(token)
    assert who is not None and who.id == staff_id
    later = await console.get("/console/account/")
    assert token not in later.text and "website &lt;script&gt;" in later.text
    revoke = re.search(r'action="(/console/account/tokens/[0-9a-f-]{36}/revoke)"', later.text)
    assert revoke
    assert (await console.submit("/console/account/", revoke.group(1), {})).status_code == 303
    assert await authenticate(token) is None
    other = await invite_staff("other@example.org", "editor")
    theirs = await issue_token(other.staff_id, "theirs")
    refused = await console.submit(
        "/console/account/", f"/console/account/tokens/{theirs.token_id}/revoke", {}
    )
    assert refused.status_code == 404
    assert await authenticate(theirs.token) is not None


async def test_editors_choose_review_mails_authors_do_not_see_it(
    console: ConsoleClient, db: Database
) -> None:
    await sign_in_as(console, "author")
    assert 'name="review_mails"' not in (await console.get("/console/account/")).text
    editor = await sign_in_as(console, "editor")
    page = await console.get("/console/account/")
    assert re.search(r'name="review_mails" type="checkbox" value="yes" checked', page.text)
    off = await console.submit("/console/account/", "/console/account/review-mails", {})
    assert off.status_code == 303
    row = (
        await StaffCredential.select(StaffCredential.review_mails)
        .where(StaffCredential.staff == editor.id)
        .first()
    )
    assert row == {"review_mails": False}
    assert not re.search(r'value="yes" checked', (await console.get("/console/account/")).text)
    await console.submit("/console/account/", "/console/account/review-mails", {"review_mails": "yes"})
    row = (
        await StaffCredential.select(StaffCredential.review_mails)
        .where(StaffCredential.staff == editor.id)
        .first()
    )
    assert row == {"review_mails": True}


async def test_account_forms_without_their_csrf_token_change_nothing(
    console: ConsoleClient, db: Database
) -> None:
    staff_id = await _person(console)
    await console.get("/console/account/")
    fields = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    assert (await console.post("/console/account/password", data=fields)).status_code == 403
    assert (await console.post("/console/account/tokens", data={"label": "x"})).status_code == 403
    assert (await check_password("eka@example.org", PASSWORD, ip="")).staff_id == staff_id
    assert await ApiToken.count().where(ApiToken.staff == staff_id) == 0
