"""The review workflow in headless Chromium against a live `scmi run`, JavaScript off and on, axe-clean."""

from urllib.parse import urlsplit

from playwright.async_api import Page, async_playwright

from tests.service.console.test_console_in_a_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    check_page,
    invite,
    live,
)
from tests.service.console.test_entry_editor_in_a_browser import set_password, signed_in_page

__all__ = ["live"]  # the fixture, used by name


async def test_an_author_submits_and_an_editor_asks_for_changes(live: tuple[str, dict[str, str]]) -> None:
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
        await author.fill("[id='ka.title']", "კომისიის სხდომა")
        await author.fill("[id='en.title']", "A sitting of the Commission")
        await author.click("button[value=save]")
        await author.wait_for_url(f"{url}/console/news/*?done=save")
        entry_page = author.url.split("?")[0]
        await author.fill("#note", "Please check the *date*")
        await author.click("button[value=submit]")
        await author.wait_for_url(f"{entry_page}?done=submit")
        assert "Submitted for review" in await author.inner_text("main")
        assert await author.inner_text(".comment em") == "date"
        await author.context.close()

        editor = await signed_in_page(browser, url, "nino@example.org", javascript=True)
        watch(editor)
        await editor.goto(entry_page)
        await check_page(editor, origin, offsite)
        await editor.click("button[value=request_changes]")  # no note
        await editor.wait_for_selector(".error-summary")
        assert await editor.get_attribute(".error-summary a", "href") == "#note"
        await check_page(editor, origin, offsite)
        await editor.fill("#note", "თარიღი შეასწორეთ")
        await editor.click("button[value=request_changes]")
        await editor.wait_for_url(f"{entry_page}?done=request_changes")
        await editor.fill("#body", "კარგია")
        await editor.click("#comments-title ~ form button[type=submit]")
        await editor.wait_for_load_state()
        assert "კარგია" in await editor.inner_text("#comments-title ~ article:last-of-type")
        await check_page(editor, origin, offsite)
        await editor.goto(f"{entry_page}/revisions")
        assert await editor.locator("form[action$='/revisions/1/restore'] button").count() == 1
        await check_page(editor, origin, offsite)
        await browser.close()
