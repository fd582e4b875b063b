"""The entry editor in headless Chromium against a live `scmi run`: an author's draft with a cover uploaded in
place with JavaScript off, an editor publishing it, axe-clean in Georgian and English, nothing from elsewhere."""

from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, Page, async_playwright

from tests.media_files import png
from tests.service.console.conftest import PASSWORD
from tests.service.console.test_console_in_a_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    check_page,
    invite,
    live,
)

__all__ = ["live"]  # the fixture, used by name


async def set_password(browser: Browser, link: str) -> None:
    """Use a welcome link as its person would: choose the password."""
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(link)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("#email")
    await context.close()


async def signed_in_page(browser: Browser, url: str, email: str, *, javascript: bool) -> Page:
    """A new browser context signed in as `email`, with or without JavaScript."""
    context = await browser.new_context(java_script_enabled=javascript)
    page = await context.new_page()
    await page.goto(f"{url}/console/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.wait_for_url(f"{url}/console/")
    return page


async def test_an_author_drafts_with_a_cover_and_an_editor_publishes_it(
    live: tuple[str, dict[str, str]],
) -> None:
    url, env = live
    origin = urlsplit(url).netloc
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await set_password(browser, invite(env, "eka@example.org", "author", "en"))
        await set_password(browser, invite(env, "nino@example.org", "editor", "ka"))
        offsite: list[str] = []

        def watch(page: Page) -> None:
            page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        # The author, JavaScript off (axe needs it on: the same pages are checked below), in English.
        author = await signed_in_page(browser, url, "eka@example.org", javascript=False)
        watch(author)
        await author.click("header >> text=Write")
        await author.wait_for_url(f"{url}/console/news/new")
        assert await author.locator("button[value=publish]").count() == 0
        # A missing title comes back with the error summary, which links to the field.
        await author.fill("[id='en.body']", "Nothing yet")
        await author.click("button[value=save]")
        await author.wait_for_selector(".error-summary")
        assert await author.get_attribute(".error-summary a", "href") == "#en.title"
        await author.fill("[id='ka.title']", "კომისიის 32-ე სხდომა")
        await author.fill("[id='ka.body']", "კომისიამ **დაამტკიცა** სამოქმედო გეგმა.")
        await author.fill("[id='en.title']", "The 32nd sitting of the Commission")
        await author.fill(
            "[id='en.body']", "The Commission *adopted* the Action Plan.\n\n<script>alert(1)</script>"
        )
        await author.click("button[value=preview]")
        await author.wait_for_selector(".previews")
        assert await author.inner_text(".preview[lang=en] em") == "adopted"
        assert await author.locator(".preview script").count() == 0
        await author.set_input_files(
            "#cover_file", files=[{"name": "sitting.png", "mimeType": "image/png", "buffer": png(320, 200)}]
        )
        await author.click("button[value=save]")
        await author.wait_for_url(f"{url}/console/news/*?done=save")
        entry_page = author.url.split("?")[0]
        assert "Saved." in await author.inner_text("main")
        assert "komisiis-32-e-skhdoma" in await author.inner_text("main")
        assert await author.locator(".covers input[type=radio]:checked").get_attribute("value") != ""
        await author.context.close()

        # The same pages with JavaScript on, in English: axe-clean at desktop and phone width.
        author = await signed_in_page(browser, url, "eka@example.org", javascript=True)
        watch(author)
        for page in ("/console/news/new", "/console/events/new", entry_page, f"{entry_page}/revisions"):
            await author.goto(page if page.startswith("http") else f"{url}{page}")
            await check_page(author, origin, offsite)
        await author.goto(entry_page)
        assert await author.evaluate("document.querySelector('.thumb img').naturalWidth") > 0
        await author.click("button[value=preview]")  # the preview page too
        await author.wait_for_selector(".previews")
        await check_page(author, origin, offsite)
        await author.goto(f"{url}/console/news/new")
        await author.click("button[value=save]")  # and the error summary
        await author.wait_for_selector(".error-summary")
        await check_page(author, origin, offsite)

        # The editor, in Georgian, publishes the draft.
        editor = await signed_in_page(browser, url, "nino@example.org", javascript=True)
        watch(editor)
        await editor.goto(entry_page)
        assert await editor.evaluate("document.documentElement.lang") == "ka"
        await check_page(editor, origin, offsite)
        await editor.click("button[value=publish]")
        await editor.wait_for_load_state()
        assert editor.url == f"{entry_page}?done=publish", await editor.inner_text("main")
        assert "გამოქვეყნებულია" in await editor.inner_text("main")
        await check_page(editor, origin, offsite)
        await editor.click("text=ვერსიების ისტორია")
        history = await editor.inner_text("main")
        assert "eka" in history and "nino" in history and "published_at" not in history
        await check_page(editor, origin, offsite)
        for kind in ("events", "announcements", "materials"):
            await editor.goto(f"{url}/console/{kind}/new")
            await check_page(editor, origin, offsite)
        await browser.close()

    async with httpx.AsyncClient(base_url=url) as public:
        listed = (await public.get("/api/v1/news?lang=en")).json()["items"]
        assert [item["title"] for item in listed] == ["The 32nd sitting of the Commission"]
        assert listed[0]["cover_id"] is not None
        assert "<script" not in listed[0]["body_html"]
        feed = await public.get("/feeds/ka/news.rss")
        assert "კომისიის 32-ე სხდომა" in feed.text
