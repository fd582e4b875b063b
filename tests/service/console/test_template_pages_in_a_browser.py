"""The template pages in headless Chromium against a live `scmi run`, in Georgian and English: edit,
see the error at its line, fix, preview both languages at two widths; axe-clean throughout."""

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, async_playwright, expect

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from newsletters.template_store import get_template
from service.console.session import SESSION_COOKIE
from tests.conftest import Database
from tests.live_scmi import scmi_run
from tests.private_servers import free_port
from tests.service.console.test_console_in_a_browser import CHROMIUM, CHROMIUM_ARGS, check_page
from tests.service.console.test_template_pages import GOOD

BROKEN = GOOD.replace("<mj-text>{{ greeting }}", "<mj-txet>{{ greeting }}")


@pytest.fixture
async def live(db: Database, tmp_path: Path) -> AsyncIterator[str]:
    """`scmi run` on a free port, on the test's database."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": db.url, "DATA_DIR": str(tmp_path / "data"), "PUBLIC_URL": url}
    async with scmi_run(env, port, tmp_path / "server.log"):
        yield url


async def edit_fail_fix(page: Page, origin: str, offsite: list[str], texts: dict[str, str]) -> None:
    """Save a broken template, find the error at its line from the summary, fix it and save."""
    await page.fill("#mjml", BROKEN)
    await page.click("button[value=save]")
    await page.wait_for_selector(".error-summary")
    await check_page(page, origin, offsite)
    await expect(page.locator("#wrong-line")).to_have_text(texts["at_line"])
    await expect(page.locator("pre.wrong-line")).to_contain_text("<mj-txet>{{ greeting }}")
    await page.click(".error-summary a >> nth=0")
    assert await page.evaluate("document.activeElement.id") == "mjml"
    assert await page.input_value("#mjml") == BROKEN  # the text typed is still there
    await page.fill("#mjml", GOOD)
    await page.click("button[value=save]")
    await expect(page.locator(".notice[role=status]")).to_have_text(texts["saved"])
    await check_page(page, origin, offsite)


async def test_an_editor_edits_fixes_and_previews_a_template(live: str, db: Database) -> None:
    url = live
    invitation = await invite_staff("nino@example.org", "editor", "Nino", lang="ka")
    token = await start_session(invitation.staff_id, stage="signed_in")
    origin = urlsplit(url).netloc
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context()
        await context.add_cookies(
            [{"name": SESSION_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/console"}]
        )
        page = await context.new_page()
        offsite: list[str] = []
        page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        await page.goto(f"{url}/console/")
        await page.click("header a[href='/console/templates/']")
        await expect(page.locator("h1")).to_have_text("შაბლონები")
        await check_page(page, origin, offsite)
        await page.click("a[href='/console/templates/newsletter']")
        await expect(page.locator("#placeholders-title")).to_have_text("ცვლადები")
        await expect(page.locator(".placeholders dt")).to_contain_text(["{{ unsubscribe_url }}"])
        await check_page(page, origin, offsite)
        await edit_fail_fix(
            page, origin, offsite, {"at_line": "შეცდომა სტრიქონზე 4:", "saved": "შაბლონი შენახულია."}
        )
        assert (await get_template("newsletter")).mjml == GOOD

        for lang, greeting in (("ka", "ძვირფასო ნინო,"), ("en", "Dear Nino,")):
            await page.click(f"main a[href='/console/templates/newsletter/preview/{lang}']")
            await expect(page.locator("iframe[sandbox]")).to_have_count(2)
            for frame in ("desktop", "phone"):
                body = page.frame_locator(f"iframe.{frame}").locator("body")
                await expect(body).to_contain_text(greeting)
            widths = await page.eval_on_selector_all("iframe", "frames => frames.map(f => f.clientWidth)")
            assert widths[0] > widths[1]
            await check_page(page, origin, offsite)
            await page.click("a[href='/console/templates/newsletter'] >> nth=0")

        # The same in English, after switching the console's language.
        await page.click("header button[lang=en]")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await page.goto(f"{url}/console/templates/newsletter")
        await expect(page.locator("#placeholders-title")).to_have_text("Placeholders")
        await check_page(page, origin, offsite)
        await edit_fail_fix(
            page, origin, offsite, {"at_line": "The error is at line 4:", "saved": "The template is saved."}
        )
        await page.click("main a[href='/console/templates/newsletter/preview/en']")
        await expect(page.frame_locator("iframe.phone").locator("body")).to_contain_text("Dear Nino,")
        await check_page(page, origin, offsite)
        await page.goto(f"{url}/console/templates/new")
        await expect(page.locator("h1")).to_have_text("New template")
        await page.click("button[value=save]")
        await page.wait_for_selector(".error-summary")
        await check_page(page, origin, offsite)
        await page.click(".error-summary a >> nth=0")
        assert await page.evaluate("document.activeElement.id") == "slug"
        await page.goto(f"{url}/console/campaigns/")
        await expect(page.locator("#digest")).to_have_text("Draft a digest")
        await check_page(page, origin, offsite)
        await browser.close()
