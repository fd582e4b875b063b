"""Staff, the audit log and My account in headless Chromium against a live `scmi run`: an admin invites an
author, the author signs up through the link, the admin ends the author's session and the author's next
click lands on sign-in; the audit log shows each step; every new page axe-clean in Georgian and English."""

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, async_playwright, expect

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from service.console.session import SESSION_COOKIE
from service.console.texts import TEXTS
from tests.conftest import Database
from tests.live_scmi import scmi_run
from tests.private_servers import free_port
from tests.service.console.conftest import PASSWORD
from tests.service.console.test_console_in_a_browser import CHROMIUM, CHROMIUM_ARGS, check_page


@pytest.fixture
async def live(db: Database, tmp_path: Path) -> AsyncIterator[str]:
    """`scmi run` on a free port, on the test's database."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": db.url, "DATA_DIR": str(tmp_path / "data"), "PUBLIC_URL": url}
    async with scmi_run(env, port, tmp_path / "server.log"):
        yield url


async def _audit_steps(page: Page) -> list[str]:
    return [
        text.strip() for text in await page.locator("table.audit tbody td:nth-child(3)").all_inner_texts()
    ]


async def test_invite_sign_up_revoke_and_the_audit_log(live: str, db: Database) -> None:
    url = live
    origin = urlsplit(url).netloc
    invitation = await invite_staff("lead@example.org", "admin", "Ana", lang="ka")
    token = await start_session(invitation.staff_id, stage="signed_in", user_agent="admin browser")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        admin_context = await browser.new_context()
        await admin_context.add_cookies(
            [{"name": SESSION_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/console"}]
        )
        admin = await admin_context.new_page()
        offsite: list[str] = []
        admin.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        # The admin, in Georgian, invites an author (a refused try first: the summary links to the field).
        await admin.goto(f"{url}/console/")
        await admin.click("header a[href='/console/staff/']")
        await expect(admin.locator("h1")).to_have_text(TEXTS["ka"]["st_title"])
        await check_page(admin, origin, offsite)
        await admin.click("#invite ~ form button[type=submit]")
        await expect(admin.locator(".error-summary a[href='#email']")).to_have_count(1)
        await check_page(admin, origin, offsite)
        await admin.fill("#email", "eka@example.org")
        await admin.fill("#name", "Eka")
        await admin.select_option("#role", "author")
        await admin.select_option("#lang", "en")
        await admin.click("#invite ~ form button[type=submit]")
        link = (await admin.locator("#welcome-link").inner_text()).strip()
        assert link.startswith(f"{url}/console/welcome/scmiw_")
        await check_page(admin, origin, offsite)

        # The author signs up through the link and signs in, in a browser of their own.
        author_context = await browser.new_context()
        author = await author_context.new_page()
        author.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)
        await author.goto(link)
        await author.fill("#password", PASSWORD)
        await author.click("main button[type=submit]")
        await author.wait_for_url(re.compile(r".*/console/sign-in\?done=password.*"))
        await author.fill("#email", "eka@example.org")
        await author.fill("#password", PASSWORD)
        await author.click("main button[type=submit]")
        await author.wait_for_url(f"{url}/console/")
        await expect(author.locator("header a[href='/console/account/']")).to_have_count(1)
        await author.click("header a[href='/console/account/']")
        await expect(author.locator("h1")).to_have_text(TEXTS["en"]["me_title"])
        await check_page(author, origin, offsite)

        # The admin opens the author's page and ends the session; the author's next click: sign-in.
        await admin.get_by_role("link", name="eka@example.org").click()
        await expect(admin.locator("h1")).to_have_text("eka@example.org")
        await expect(admin.locator("form[action*='/sessions/'] button")).to_have_count(1)
        await check_page(admin, origin, offsite)
        await admin.click("form[action*='/sessions/'] button")
        await expect(admin.locator(".notice")).to_have_text(TEXTS["ka"]["st_done_session"])
        await expect(admin.locator("form[action*='/sessions/'] button")).to_have_count(0)
        await check_page(admin, origin, offsite)
        await author.click("header a[href='/console/media/']")
        await author.wait_for_url(f"{url}/console/sign-in")
        await expect(author.locator("input#password")).to_have_count(1)

        # The audit log shows those steps, newest first; a filter narrows it to the author.
        await admin.click("header a[href='/console/audit/']")
        steps = await _audit_steps(admin)
        assert steps[:4] == ["session.revoked", "sign_in", "password.set", "staff.invited:author"], steps
        await check_page(admin, origin, offsite)
        await admin.select_option("#who", label="eka@example.org")
        await admin.click("form[role=search] button[type=submit]")
        assert await _audit_steps(admin) == ["sign_in", "password.set"]
        await admin.select_option("#who", label=TEXTS["ka"]["au_anyone"])
        await admin.fill("#what", "eka@example.org")  # the address an invitation was sent to
        await admin.click("form[role=search] button[type=submit]")
        assert await _audit_steps(admin) == ["staff.invited:author"]
        await admin.fill("#from", "2026-12-10")
        await admin.fill("#to", "2026-12-01")
        await admin.click("form[role=search] button[type=submit]")
        await expect(admin.locator(".error-summary a[href='#to']")).to_have_count(1)
        await check_page(admin, origin, offsite)

        # Every new page again in English, and My account with its forms refused.
        await admin.goto(f"{url}/console/account/")
        await expect(admin.locator("h1")).to_have_text(TEXTS["ka"]["me_title"])
        await check_page(admin, origin, offsite)
        await admin.click("form[action='/console/account/password'] button")
        await expect(admin.locator(".error-summary a[href='#current_password']")).to_have_count(1)
        await check_page(admin, origin, offsite)
        await admin.select_option("#lang", "en")
        await admin.click("form[action='/console/account/language'] button")
        await expect(admin.locator("h1")).to_have_text(TEXTS["en"]["me_title"])
        await check_page(admin, origin, offsite)
        await admin.click("form[action='/console/account/tokens'] button")
        await expect(admin.locator(".error-summary a[href='#label']")).to_have_count(1)
        await admin.fill("#label", "website script")
        await admin.click("form[action='/console/account/tokens'] button")
        await expect(admin.locator("#new-token")).to_have_count(1)
        await check_page(admin, origin, offsite)
        for path, title in (
            ("/console/staff/", TEXTS["en"]["st_title"]),
            ("/console/audit/", TEXTS["en"]["au_title"]),
        ):
            await admin.goto(f"{url}{path}")
            await expect(admin.locator("h1")).to_have_text(title)
            await check_page(admin, origin, offsite)
        await admin.goto(f"{url}/console/staff/")
        await admin.get_by_role("link", name="eka@example.org").click()
        await expect(admin.locator("form[action$='/status'] button")).to_have_count(1)
        await check_page(admin, origin, offsite)
        await admin.goto(f"{url}/console/staff/")
        await admin.fill("#email", "nino@example.org")
        await admin.click("#invite ~ form button[type=submit]")
        await expect(admin.locator("#welcome-link")).to_have_count(1)
        await check_page(admin, origin, offsite)
        await browser.close()
