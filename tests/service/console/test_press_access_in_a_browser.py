"""The editor's press access section in headless Chromium against a live `scmi run`: give, refuse,
withdraw, in Georgian and English, axe-clean at 1280 and 320 px, and given without JavaScript too."""

from urllib.parse import urlsplit

from playwright.async_api import Page, async_playwright

from tests.service.console.test_console_in_a_browser import CHROMIUM, CHROMIUM_ARGS, check_page, invite, live
from tests.service.console.test_entry_editor_in_a_browser import set_password, signed_in_page

__all__ = ["live"]  # the fixture, used by name


async def test_an_editor_gives_and_withdraws_press_access(live: tuple[str, dict[str, str]]) -> None:
    url, env = live
    origin = urlsplit(url).netloc
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await set_password(browser, invite(env, "nino@example.org", "editor", "ka"))
        await set_password(browser, invite(env, "jane@example.org", "editor", "en"))
        offsite: list[str] = []

        def watch(page: Page) -> None:
            page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        editor = await signed_in_page(browser, url, "nino@example.org", javascript=True)
        watch(editor)
        await editor.goto(f"{url}/console/materials/new")
        await editor.fill("[id='ka.title']", "ანგარიში ემბარგოს ქვეშ")
        await editor.fill("[id='en.title']", "A report under embargo")
        await editor.fill("#embargo_until", "2036-12-18T10:00")
        await editor.click("button[value=embargo]")
        await editor.wait_for_url(f"{url}/console/materials/*?done=embargo")
        entry_page = editor.url.split("?")[0]
        assert "ემბარგო მოქმედებს 2036 წლის 18 დეკემბრის 10:00-მდე" in await editor.inner_text(
            "#press-title ~ p"
        )
        await check_page(editor, origin, offsite)

        await editor.click("form[action$='/press-access'] button[type=submit]")  # nothing chosen
        await editor.wait_for_selector(".error-summary")
        assert await editor.get_attribute(".error-summary a", "href") == "#press_lists"
        await check_page(editor, origin, offsite)
        await editor.fill("#press_emails", "desk@outlet.example\nreporter@example.org")
        await editor.select_option("#press_lang", "en")
        await editor.click("form[action$='/press-access'] button[type=submit]")
        await editor.wait_for_url(f"{entry_page}?done=press_grant#press-title")
        assert await editor.locator(".press-access tbody tr").count() == 2
        await check_page(editor, origin, offsite)
        await editor.click(".press-access tbody tr:first-child button")
        await editor.wait_for_url(f"{entry_page}?done=press_revoke#press-title")
        assert await editor.locator(".press-access tbody tr button").count() == 1
        await check_page(editor, origin, offsite)
        await editor.context.close()

        # Without JavaScript the same plain form gives access (axe needs scripts, so it ran above).
        english = await signed_in_page(browser, url, "jane@example.org", javascript=False)
        watch(english)
        await english.goto(entry_page)
        assert "Press access" in await english.inner_text("#press-title")
        await english.fill("#press_emails", "editor@paper.example")
        await english.click("form[action$='/press-access'] button[type=submit]")
        await english.wait_for_url(f"{entry_page}?done=press_grant#press-title")
        assert await english.locator(".press-access tbody tr button").count() == 2
        assert not offsite, offsite
        await browser.close()
