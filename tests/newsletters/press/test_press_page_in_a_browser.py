"""A journalist's personal link in headless Chromium against a live `scmi run`: the embargoed entry
with its banner in Georgian and English, axe-clean at 1280 and 320 px, and the withdrawn page."""

import asyncio
import re
import time

import httpx
from playwright.async_api import Page, async_playwright

from tests.accessibility import axe_violations, describe
from tests.helpers import bilingual
from tests.newsletters.conftest import Inbox
from tests.newsletters.test_subscribing_in_a_browser import CHROMIUM, CHROMIUM_ARGS, LiveServer, live_server

__all__ = ["live_server"]  # the fixture, imported to be used here

LINK = re.compile(r"https?://\S+/press/[A-Za-z0-9_-]+")


async def wait_for_link(inbox: Inbox, address: str) -> str:
    deadline = time.monotonic() + 30
    while not inbox.to(address):
        assert time.monotonic() < deadline, "no press mail arrived"
        await asyncio.sleep(0.1)
    body = inbox.to(address)[0].get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found
    return found.group(0)


async def accessible(page: Page, url: str, lang: str, status: int) -> None:
    answer = await page.goto(url)
    assert answer is not None and answer.status == status, url
    assert await page.evaluate("document.documentElement.lang") == lang
    for width in (1280, 320):
        await page.set_viewport_size({"width": width, "height": 900})
        violations = await axe_violations(page)
        assert not violations, f"{url} at {width}px:\n{describe(violations)}"
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (url, width)


async def test_the_press_page_in_both_languages_and_withdrawn(
    live_server: LiveServer, smtp: tuple[Inbox, str]
) -> None:
    inbox = smtp[0]
    admin = live_server.admin
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        body = bilingual("ანგარიში ემბარგოს ქვეშ", "A report under embargo")
        made = await client.post("/api/v1/materials", json=body, headers=admin)
        assert made.status_code == 201, made.text
        entry_id = made.json()["id"]
        lift = {"embargo_until": "2036-12-18T10:00:00+04:00"}
        assert (
            await client.post(f"/api/v1/materials/{entry_id}/publish", json=lift, headers=admin)
        ).status_code == 200
        base = f"/api/v1/materials/{entry_id}/embargo-access"
        granted = await client.post(base, json={"emails": ["reporter@example.org"]}, headers=admin)
        assert granted.status_code == 202, granted.text
        link = await wait_for_link(inbox, "reporter@example.org")

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page()
            await accessible(page, link, "ka", 200)
            banner = await page.locator(".embargo").inner_text()
            assert "ემბარგო მოქმედებს 2036 წლის 18 დეკემბრის 10:00-მდე თბილისის დროით" in banner
            assert "06:00 UTC" in banner
            await page.get_by_role("link", name="Read in English").click()
            await page.wait_for_load_state()
            await accessible(page, page.url, "en", 200)
            assert (
                "Embargoed until 18 December 2036, 10:00 Tbilisi time"
                in await page.locator(".embargo").inner_text()
            )

            grant_id = granted.json()["items"][0]["id"]
            assert (await client.delete(f"{base}/{grant_id}", headers=admin)).status_code == 200
            await accessible(page, link, "ka", 410)  # the journalist's language, not the browser's
            await accessible(page, f"{link}?lang=en", "en", 410)
            await browser.close()
        opened = (await client.get(base, headers=admin)).json()["items"][0]["openings"]
        # The Georgian page, the English one by its link and again by address; withdrawn, nothing.
        assert len(opened) == 3
