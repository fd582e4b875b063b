"""The lists and subscribers pages in headless Chromium against a live `scmi run`, in Georgian and
English: axe-clean at desktop and phone width, nothing fetched elsewhere, erasure seen in the history."""

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import async_playwright, expect

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from newsletters.consent import Origin
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, ListNames, Names, SubscriberIn
from newsletters.subscribers import add_subscriber
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


async def _people() -> str:
    await create_list(
        ListIn(
            slug="partners",
            name=ListNames(ka="პარტნიორები", en="Partners"),
            public=True,
            description=Names(ka="პარტნიორი ორგანიზაციები", en="Partner organisations"),
        )
    )
    await create_list(ListIn(slug="internal", name=ListNames(ka="შიდა", en="Internal")))
    first = ""
    for number in range(30):
        data = SubscriberIn(
            email=f"person{number:02}@example.org",
            basis="პარტნიორობის ხელშეკრულება",
            lists=["partners"] if number % 2 else ["partners", "internal"],
            name=f"Person {number}",
            organisation="IOM" if number % 3 == 0 else "",
        )
        added = await add_subscriber(data, secret_key="browser-test", origin=Origin(source="staff"))
        first = first or str(added.id)
    return first


async def test_lists_search_subscriber_and_erasure_in_both_languages(
    live: str, db: Database, tmp_path: Path
) -> None:
    url = live
    invitation = await invite_staff("admin@example.org", "admin", "Ana", lang="ka")
    subscriber_id = await _people()
    token = await start_session(invitation.staff_id, stage="signed_in")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context()
        await context.add_cookies(
            [{"name": SESSION_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/console"}]
        )
        page = await context.new_page()
        offsite: list[str] = []
        origin = urlsplit(url).netloc
        page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        for lang, words in (
            ("ka", ("დაგზავნის სიები", "გამომწერები", "თანხმობის ისტორია")),
            ("en", ("Mailing lists", "Subscribers", "Consent history")),
        ):
            await page.goto(f"{url}/console/")
            await page.click("header a[href='/console/lists/']")
            await expect(page.locator("h1")).to_have_text(words[0])
            await expect(page.locator("a[href='/subscriptions/ka/partners']")).to_have_count(1)
            await check_page(page, origin, offsite)
            # The add form with errors: the summary links to the fields.
            await page.click("#add-list ~ form button[type=submit]")
            await expect(page.locator(".error-summary a[href='#slug']")).to_have_count(1)
            await check_page(page, origin, offsite)

            await page.click("header a[href='/console/subscribers/']")
            await expect(page.locator("h1")).to_have_text(words[1])
            await expect(page.locator("table.entries tbody tr")).to_have_count(25)
            await check_page(page, origin, offsite)
            await page.fill("#q", "IOM")
            await page.select_option("#list", "internal")
            await page.click("form[role=search] button[type=submit]")
            await expect(page.locator("table.entries tbody tr")).to_have_count(5)  # 0, 6, 12, 18, 24
            await check_page(page, origin, offsite)

            await page.goto(f"{url}/console/subscribers/{subscriber_id}")
            await expect(page.locator("#history")).to_have_text(words[2])
            await check_page(page, origin, offsite)
            await page.goto(f"{url}/console/subscribers/{subscriber_id}/erase")
            await check_page(page, origin, offsite)
            await page.goto(f"{url}/console/subscribers/import")
            await check_page(page, origin, offsite)
            await page.goto(f"{url}/console/subscribers/new")
            await page.click("main button[type=submit]")
            await expect(page.locator(".error-summary a[href='#email']")).to_have_count(1)
            await check_page(page, origin, offsite)
            if lang == "ka":  # the next round in English
                await page.click("header form[action='/console/language'] button")

        # Erase, and the history ends in the erasure.
        await page.goto(f"{url}/console/subscribers/{subscriber_id}/erase")
        await page.click("main form button[type=submit]")
        await expect(page.locator(".notice")).to_have_count(1)
        await expect(page.locator("ol.timeline > li").last.locator("strong")).to_have_text("Erased")
        await expect(page.locator("h1")).to_have_text("(erased)")
        await check_page(page, origin, offsite)

        # Import a file with a bad row, see the report, download the refusals.
        csv_file = tmp_path / "people.csv"
        csv_file.write_text(
            "email,name,organisation,lang,lists\nnew@example.org,New,,en,partners\nbroken,X,,ka,partners\n"
        )
        await page.goto(f"{url}/console/subscribers/import")
        await page.fill("#basis", "partnership agreement")
        await page.set_input_files("#file", str(csv_file))
        await page.click("main form[enctype] button[type=submit]")
        # The worker imports it; its page shows the rows done and puts the report in place when done.
        await page.wait_for_url("**/console/subscribers/import/*")
        await expect(page.locator("#imp-progress")).to_have_attribute("max", "2")
        await expect(page.locator("#imp-refused")).to_have_text("1", timeout=30_000)
        await expect(page.locator("#imp-progress")).to_have_attribute("value", "2")
        await expect(page.locator("#imp-created")).to_have_text("1")
        await check_page(page, origin, offsite)
        async with page.expect_download() as download_info:
            await page.click("form[action='/console/subscribers/import/refusals'] button")
        download = await download_info.value
        saved = tmp_path / "refused.csv"
        await download.save_as(saved)
        assert saved.read_text().splitlines()[1].startswith("3,broken,")
        await browser.close()
