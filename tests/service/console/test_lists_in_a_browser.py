"""The entry list and topics pages in headless Chromium against a live `scmi run`, in Georgian and English:
axe-clean at desktop and phone width, filters, paging and the topic form's error summary by keyboard."""

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, async_playwright, expect

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from content.entries import create_entry
from content.publishing import publish_entry
from content.schemas import Actor, EntryIn, PublishIn, TopicIn, TranslationIn
from content.topics import create_topic
from core.db import utcnow
from service.console.session import SESSION_COOKIE
from tests.conftest import Database
from tests.live_scmi import scmi_run
from tests.private_servers import free_port
from tests.service.console.test_console_in_a_browser import CHROMIUM, CHROMIUM_ARGS, check_page


@pytest.fixture
async def live(db: Database, tmp_path: Path) -> AsyncIterator[str]:
    """`scmi run` on a free port, on the test's database."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": db.url, "DATA_DIR": str(tmp_path / "data"), "PUBLIC_URL": url}
    async with scmi_run(env, port, tmp_path / "server.log"):
        yield url


async def _content(editor: Actor) -> None:
    await create_topic(TopicIn(slug="labour", name={"ka": "შრომითი მიგრაცია", "en": "Labour migration"}))
    for number in range(28):
        titles = {"ka": f"კომისიის სხდომა №{number}", "en": f"Commission sitting no. {number}"}
        if number % 7 == 3:
            titles.pop("en")  # a few without English: their Georgian title is shown, marked as Georgian
        data = EntryIn(
            translations={lang: TranslationIn(title=title) for lang, title in titles.items()},  # type: ignore[misc]
            topics=["labour"] if number % 2 else [],
        )
        entry = await create_entry("news", data, editor)
        if number % 5 == 0:
            publish = PublishIn(embargo_until=utcnow() + timedelta(days=1)) if number == 10 else PublishIn()
            await publish_entry("news", entry.id, publish, editor)


async def _check(page: Page, url: str, offsite: list[str]) -> None:
    await check_page(page, urlsplit(url).netloc, offsite)


async def test_lists_and_topics_in_both_languages(live: str, db: Database) -> None:
    url = live
    invitation = await invite_staff("nino@example.org", "editor", "Nino", lang="ka")
    editor = Actor(id=invitation.staff_id, name="Nino", can_edit_any=True, can_publish=True)
    await _content(editor)
    token = await start_session(invitation.staff_id, stage="signed_in")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context()
        await context.add_cookies(
            [{"name": SESSION_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/console"}]
        )
        page = await context.new_page()
        # Counts are awaited with `expect`, which retries until the page a click opened has loaded.
        offsite: list[str] = []
        origin = urlsplit(url).netloc
        page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        for lang, words in (
            ("ka", ("სიახლეები", "თემები", "უფრო ძველი")),
            ("en", ("News", "Topics", "Older")),
        ):
            await page.goto(f"{url}/console/")
            await page.click("header a[href='/console/news/']")
            await expect(page.locator("h1")).to_have_text(words[0])
            await expect(page.locator("table.entries tbody tr")).to_have_count(25)
            await _check(page, url, offsite)
            await page.click(f"text={words[2]}")  # the second page
            await expect(page.locator("table.entries tbody tr")).to_have_count(3)
            await _check(page, url, offsite)
            # The filters are a GET form: choosing and sending them by keyboard narrows the rows.
            await page.goto(f"{url}/console/news/")
            await page.select_option("#status", "embargoed")
            await page.focus("#q")
            await page.keyboard.press("Enter")  # implicit submission from the search field
            await page.wait_for_url("**/console/news/?*status=embargoed*")
            await expect(page.locator("table.entries tbody tr")).to_have_count(1)
            await _check(page, url, offsite)
            await page.fill("#q", "სხდომა")
            await page.select_option("#status", "")
            await page.select_option("#missing", "en")
            await page.click(".filters button")
            await expect(page.locator("table.entries tbody tr")).to_have_count(4)
            await expect(page.locator("table.entries tbody a[lang=ka]")).to_have_count(
                4 if lang == "en" else 0
            )
            await _check(page, url, offsite)

            await page.click(f"header a:text-is('{words[1]}')")
            await expect(page.locator("table.entries tbody tr")).to_have_count(1)
            await _check(page, url, offsite)
            await page.fill("#slug", "Not a slug")
            await page.click("main button[type=submit]")
            await page.wait_for_selector(".error-summary")
            await _check(page, url, offsite)
            await page.click(".error-summary a >> nth=0")
            assert await page.evaluate("document.activeElement.id") == "slug"
            await page.goto(f"{url}/console/topics/labour")
            await _check(page, url, offsite)
            await page.fill("#name\\.en", "")
            await page.click("main button[type=submit]")
            await page.wait_for_selector(".error-summary")
            await _check(page, url, offsite)
            if lang == "ka":  # on to English for the second round
                await page.click("header button[lang=en]")
                assert await page.evaluate("document.documentElement.lang") == "en"
        await browser.close()
