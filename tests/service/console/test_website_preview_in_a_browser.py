"""The editor's "preview on the website" in headless Chromium against a live `scmi run`, JavaScript off:
a saved draft opens as its preview answer; the editor page stays axe-clean in Georgian and English."""

from urllib.parse import urlsplit

from playwright.async_api import Page, async_playwright

from tests.service.console.test_console_in_a_browser import CHROMIUM, CHROMIUM_ARGS, check_page, invite, live
from tests.service.console.test_entry_editor_in_a_browser import set_password, signed_in_page

__all__ = ["live"]  # the fixture, used by name


async def test_a_saved_draft_opens_as_its_preview(live: tuple[str, dict[str, str]]) -> None:
    url, env = live
    origin = urlsplit(url).netloc
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await set_password(browser, invite(env, "eka@example.org", "author", "en"))
        await set_password(browser, invite(env, "nino@example.org", "editor", "ka"))
        offsite: list[str] = []

        def watch(page: Page) -> None:
            page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        author = await signed_in_page(browser, url, "eka@example.org", javascript=False)
        watch(author)
        await author.goto(f"{url}/console/news/new")
        # No entry yet: nothing to preview on the website.
        assert await author.locator("form.website-preview").count() == 0
        await author.fill("[id='ka.title']", "კომისიის 32-ე სხდომა")
        await author.fill("[id='en.title']", "The 32nd sitting of the Commission")
        await author.click("button[value=save]")
        await author.wait_for_selector("form.website-preview")
        editor_url = author.url
        await author.click("form.website-preview button")
        await author.wait_for_url(f"{url}/api/v1/preview/**")
        assert "კომისიის 32-ე სხდომა" in await author.inner_text("body")  # the public shape, Georgian first

        # The editor page with the button, axe-clean in English (JavaScript on for axe) and Georgian.
        for email, lang in (("eka@example.org", "en"), ("nino@example.org", "ka")):
            page = await signed_in_page(browser, url, email, javascript=True)
            watch(page)
            await page.goto(editor_url.split("?")[0])
            await page.wait_for_selector("form.website-preview button")
            assert await page.evaluate("document.documentElement.lang") == lang
            await check_page(page, origin, offsite)
        await browser.close()
