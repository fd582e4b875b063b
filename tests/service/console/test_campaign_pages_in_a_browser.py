"""The campaign pages in headless Chromium against a live `scmi run` mailing a real SMTP server:
compose, preview at two widths, test-send, send and watch progress reach "sent", axe-clean throughout."""

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, async_playwright, expect

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from content.schemas import Actor
from service.console.session import SESSION_COOKIE
from tests.conftest import Database
from tests.live_scmi import scmi_run
from tests.newsletters.conftest import Inbox, smtp  # noqa: F401  (the real SMTP server fixture)
from tests.private_servers import free_port
from tests.service.console.staff_pages import Person
from tests.service.console.test_campaign_pages import audience, two_entries
from tests.service.console.test_console_in_a_browser import CHROMIUM, CHROMIUM_ARGS, check_page


@pytest.fixture
async def live(db: Database, tmp_path: Path, smtp: tuple[Inbox, str]) -> AsyncIterator[str]:  # noqa: F811
    """`scmi run` (API and worker) on a free port, on the test's database, mailing the test's SMTP server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "DATA_DIR": str(tmp_path / "data"),
        "SMTP_URL": smtp[1],
        "PUBLIC_URL": url,
    }
    async with scmi_run(env, port, tmp_path / "server.log"):
        yield url


async def wait_for_mail(inbox: Inbox, address: str, count: int = 1) -> None:
    deadline = time.monotonic() + 60
    while len(inbox.to(address)) < count:
        assert time.monotonic() < deadline, f"no mail reached {address}"
        await asyncio.sleep(0.2)


async def test_an_editor_sends_a_campaign_in_the_browser(
    live: str,
    db: Database,
    smtp: tuple[Inbox, str],  # noqa: F811
) -> None:
    url = live
    inbox = smtp[0]
    invitation = await invite_staff("nino@scmi.example.org", "editor", "Nino", lang="en")
    editor = Person(
        id=invitation.staff_id,
        name="Nino",
        actor=Actor(id=invitation.staff_id, name="Nino", can_edit_any=True, can_publish=True),
    )
    await audience()
    await two_entries(editor)
    token = await start_session(invitation.staff_id, stage="signed_in")
    origin = urlsplit(url).netloc
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context()
        await context.add_cookies(
            [{"name": SESSION_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/console"}]
        )
        page: Page = await context.new_page()
        offsite: list[str] = []
        page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        await page.goto(f"{url}/console/")
        await page.click("header a[href='/console/campaigns/']")
        await expect(page.locator("h1")).to_have_text("Campaigns")
        await check_page(page, origin, offsite)
        await page.click("text=Compose a campaign")
        await expect(page.locator("h1")).to_have_text("New campaign")
        await check_page(page, origin, offsite)

        # Saving without subjects or lists: the error summary links to the fields.
        await page.click("button[value=save]")
        await page.wait_for_selector(".error-summary")
        await check_page(page, origin, offsite)
        await page.click(".error-summary a >> nth=0")
        assert await page.evaluate("document.activeElement.id") == "subject.ka"

        await page.fill("#subject\\.ka", "სიახლეები")
        await page.fill("#subject\\.en", "Newsroom update")
        await page.fill("#intro\\.en", "This week's stories.")
        await page.check("label:text-is('Seasonal work rules')")
        await page.check("label:text-is('Visa changes')")
        await page.check("label:text-is('Press')")
        await page.check("label:text-is('Partners')")
        await page.click("button[value=save]")
        await expect(page.locator(".notice[role=status]")).to_have_text("Draft saved.")
        assert "reaches 3 people" in await page.inner_text("main")
        await check_page(page, origin, offsite)

        for lang, title in (("en", "Visa changes"), ("ka", "ვიზის ცვლილებები")):
            await page.click(f"a[href$='/preview/{lang}']")
            await expect(page.locator("iframe[sandbox]")).to_have_count(2)
            for frame in ("desktop", "phone"):
                body = page.frame_locator(f"iframe.{frame}").locator("body")
                await expect(body).to_contain_text(title)
            widths = await page.eval_on_selector_all("iframe", "frames => frames.map(f => f.clientWidth)")
            assert widths[0] > widths[1]
            await check_page(page, origin, offsite)
            await page.click("text=Back to the campaign")

        await page.fill("#addresses", "tester@example.org")
        await page.select_option("#test-lang", "en")
        await page.click("text=Send a test")
        await expect(page.locator(".notice[role=status]")).to_contain_text("Test mail queued")
        await wait_for_mail(inbox, "tester@example.org")
        assert inbox.to("tester@example.org")[0]["Subject"] == "[TEST] Newsroom update"

        await page.click("button[value=send]")
        await expect(page.locator("dd#count-recipients")).to_be_visible()
        await check_page(page, origin, offsite)
        # The page refreshes itself (a meta refresh, no script) until the campaign is sent.
        await expect(page.locator("main")).to_contain_text("Status: Sent", timeout=60_000)
        await expect(page.locator("dd#count-sent")).to_have_text("3")
        await check_page(page, origin, offsite)
        for address in ("nino@example.org", "anna@example.net", "both@example.org"):
            await wait_for_mail(inbox, address)
        archive = page.locator("main a[href*='/newsletters/en/']")
        await archive.click()
        await expect(page.locator("h1")).to_have_text("Newsroom update")  # the public archive's copy
        await browser.close()


async def test_the_same_flow_works_without_javascript(
    live: str,
    db: Database,
    smtp: tuple[Inbox, str],  # noqa: F811
) -> None:
    url = live
    inbox = smtp[0]
    invitation = await invite_staff("eka@scmi.example.org", "editor", "Eka", lang="ka")
    editor = Person(
        id=invitation.staff_id,
        name="Eka",
        actor=Actor(id=invitation.staff_id, name="Eka", can_edit_any=True, can_publish=True),
    )
    await audience()
    await two_entries(editor)
    token = await start_session(invitation.staff_id, stage="signed_in")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(java_script_enabled=False)
        await context.add_cookies(
            [{"name": SESSION_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/console"}]
        )
        page = await context.new_page()
        await page.goto(f"{url}/console/campaigns/new")
        # The entry search is a GET form of its own: it narrows the list of published entries.
        await page.fill("#q", "ვიზის")
        await page.click("button[form=entry-search]")
        await page.wait_for_url("**/console/campaigns/new?q=*")
        assert await page.locator("input[name=entries]").count() == 1
        await page.fill("#subject\\.ka", "სიახლეები")
        await page.fill("#subject\\.en", "Newsroom update")
        await page.check("input[name=entries]")
        await page.check("label:text-is('პრესა')")
        await page.click("button[value=save]")
        await expect(page.locator(".notice[role=status]")).to_have_text("შავი ვერსია შენახულია.")
        assert await page.locator("input[name=entries]:checked").count() == 1
        await page.click("button[value=send]")
        # With JavaScript off the <noscript> refresh reloads the page until the campaign is sent.
        await expect(page.locator("main")).to_contain_text("სტატუსი: გაგზავნილი", timeout=60_000)
        for address in ("nino@example.org", "both@example.org"):
            await wait_for_mail(inbox, address)
        assert inbox.to("anna@example.net") == []  # not on press
        await browser.close()
