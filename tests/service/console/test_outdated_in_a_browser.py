"""Outdated translations in headless Chromium against a live `scmi run`: JavaScript off, axe-clean."""

from urllib.parse import urlsplit

from playwright.async_api import async_playwright

from tests.service.console.test_console_in_a_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    check_page,
    invite,
    live,
)
from tests.service.console.test_entry_editor_in_a_browser import set_password, signed_in_page

__all__ = ["live"]  # the fixture, used by name


async def test_the_georgian_shows_outdated_until_marked_current(live: tuple[str, dict[str, str]]) -> None:
    url, env = live
    origin = urlsplit(url).netloc
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await set_password(browser, invite(env, "eka@example.org", "author", "ka"))
        offsite: list[str] = []
        page = await signed_in_page(browser, url, "eka@example.org", javascript=False)
        page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)
        await page.goto(f"{url}/console/news/new")
        await page.fill("[id='ka.title']", "კომისიის სხდომა")
        await page.fill("[id='en.title']", "A sitting of the Commission")
        await page.click("button[value=save]")
        await page.wait_for_url(f"{url}/console/news/*?done=save")
        entry_page = page.url.split("?")[0]
        await page.fill("[id='en.title']", "The Commission met")
        await page.click("button[value=save]")
        await page.wait_for_url(f"{entry_page}?done=save")

        notice = page.locator("fieldset[lang=ka] .outdated")
        assert "თარგმანი მოძველებულია" in await notice.inner_text()
        assert await page.locator("fieldset[lang=en] .outdated").count() == 0
        await check_page(page, origin, offsite)
        await page.goto(f"{url}/console/news/?outdated=ka")
        assert await page.locator("td .status-outdated").count() == 1
        await check_page(page, origin, offsite)

        await page.goto(entry_page)
        await notice.locator("button").click()  # submits its own form, outside the editor's
        await page.wait_for_url(f"{entry_page}?done=current")
        assert "აქტუალურად" in await page.inner_text(".notice")
        assert await page.locator(".outdated").count() == 0
        assert await page.input_value("[id='en.title']") == "The Commission met"
        await check_page(page, origin, offsite)
        await browser.close()
