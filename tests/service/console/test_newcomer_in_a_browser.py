"""The issue's "done when", tried as a newcomer would in headless Chromium against a live `scmi run` with
the demo loaded and a real SMTP server: from the invitation to the demo campaign reaching two test
addresses, its progress and archive copy, and a subscriber's consent history, with no command line after
the invite."""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.async_api import async_playwright, expect

from tests.conftest import Database
from tests.live_scmi import SCMI, scmi_run
from tests.newsletters.conftest import Inbox, smtp  # noqa: F401  (the real SMTP server fixture)
from tests.private_servers import free_port
from tests.service.console.conftest import PASSWORD
from tests.service.console.test_campaign_pages_in_a_browser import wait_for_mail
from tests.service.console.test_console_in_a_browser import CHROMIUM, CHROMIUM_ARGS, check_page, invite

READERS = ("first.reader@example.org", "second.reader@example.net")
SUBJECT = "State Commission on Migration Issues: news of the month"


@pytest.fixture
async def live(
    db: Database,
    tmp_path: Path,
    smtp: tuple[Inbox, str],  # noqa: F811
) -> AsyncIterator[tuple[str, dict[str, str]]]:
    """The demo loaded as `make run` loads it, then `scmi run` mailing the test's SMTP server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "DATA_DIR": str(tmp_path / "data"),
        "SMTP_URL": smtp[1],
        "PUBLIC_URL": url,
    }
    demo = await asyncio.create_subprocess_exec(
        SCMI, "demo", "--if-empty", env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, problems = await asyncio.wait_for(demo.communicate(), timeout=300)
    assert demo.returncode == 0, problems.decode()
    async with scmi_run(env, port, tmp_path / "server.log"):
        yield url, env


async def test_a_newcomer_sends_the_demo_campaign_from_the_browser(
    live: tuple[str, dict[str, str]],
    smtp: tuple[Inbox, str],  # noqa: F811
) -> None:
    url, env = live
    inbox = smtp[0]
    link = invite(env, "newcomer@scmi.example.org", "admin", "en")  # the last command line
    origin = urlsplit(url).netloc
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        offsite: list[str] = []
        page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        # The invitation: a password, sign-in, the second factor an administrator needs.
        await page.goto(link)
        await page.fill("#password", PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/console/sign-in?*")
        await page.fill("#email", "newcomer@scmi.example.org")
        await page.fill("#password", PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/console/second-factor")
        secret = (await page.inner_text("code.key")).strip()
        await page.fill("#code", pyotp.TOTP(secret).now())
        await page.keyboard.press("Enter")
        await page.wait_for_selector("ol.codes li")
        await page.click("text=Go to the console")

        # Two test addresses on the demo's press list, each on a recorded basis.
        for address in READERS:
            await page.click("header a[href='/console/subscribers/']")
            await page.click("a[href='/console/subscribers/new']")
            await page.fill("#email", address)
            await page.check("#list-press")
            await page.fill("#basis", "test addresses of the secretariat's own staff")
            await page.click("main button[type=submit]")
            await expect(page.locator("h1")).to_have_text(address)

        # The demo campaign: preview, send, watch it reach "sent".
        await page.click("header a[href='/console/campaigns/']")
        await check_page(page, origin, offsite)
        await page.click(f"text={SUBJECT}")
        assert "reaches 2 people" in await page.inner_text("main")
        await page.click("a[href$='/preview/en']")
        await expect(page.frame_locator("iframe.desktop").locator("body")).to_contain_text("Dear reader,")
        await page.go_back()
        await page.click("button[value=send]")
        # The worker writes the ledger when its start job runs; the page follows by itself.
        await expect(page.locator("dd#count-recipients")).to_have_text("2", timeout=90_000)
        await expect(page.locator("main")).to_contain_text("Status: Sent", timeout=90_000)
        await expect(page.locator("dd#count-sent")).to_have_text("2")
        await check_page(page, origin, offsite)
        for address in READERS:
            await wait_for_mail(inbox, address)
            [received] = inbox.to(address)
            assert received["List-Unsubscribe"]
        await page.click("main a[href*='/newsletters/en/']")
        await expect(page.locator("h1")).to_have_text(SUBJECT)  # the public archive's copy

        # A subscriber's consent history, found by searching.
        await page.goto(f"{url}/console/subscribers/")
        await page.fill("#q", "second.reader")
        await page.click("form[role=search] button[type=submit]")
        await page.click(f"a:text-is('{READERS[1]}')")
        await expect(page.locator("ol.timeline > li")).to_have_count(1)
        await expect(page.locator("ol.timeline")).to_contain_text(
            "test addresses of the secretariat's own staff"
        )
        await check_page(page, origin, offsite)
        await browser.close()
