"""The public reading pages in headless Chromium against a live server: an entry, an event, the
newsletter archive and a sent newsletter, in both languages, axe-clean at 1280 and 320 px, by keyboard."""

import asyncio
import time
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright

from tests import media_files
from tests.accessibility import axe_violations, describe
from tests.helpers import bilingual
from tests.newsletters.test_subscribing_in_a_browser import CHROMIUM, CHROMIUM_ARGS, LiveServer, live_server

__all__ = ["live_server"]  # the fixture, imported to be used here


async def publish(
    client: httpx.AsyncClient, admin: dict[str, str], kind: str, body: dict[str, Any]
) -> dict[str, Any]:
    made = await client.post(f"/api/v1/{kind}", json=body, headers=admin)
    assert made.status_code == 201, made.text
    entry: dict[str, Any] = made.json()
    published = await client.post(f"/api/v1/{kind}/{entry['id']}/publish", json={}, headers=admin)
    assert published.status_code == 200, published.text
    return published.json()  # type: ignore[no-any-return]


async def sent_newsletter(client: httpx.AsyncClient, admin: dict[str, str], entry_id: str) -> str:
    person = {"email": "reader@example.org", "basis": "test", "lists": ["press"], "lang": "en", "name": "R"}
    assert (await client.post("/api/v1/subscribers", json=person, headers=admin)).status_code == 201
    body = {
        "template": "newsletter",
        "subject": {"ka": "დეკემბრის სიახლეები", "en": "December news"},
        "intro": {"ka": "კომისიის **ახალი** ამბები.", "en": "The Commission's **latest** news."},
        "entries": [entry_id],
        "lists": ["press"],
    }
    campaign = await client.post("/api/v1/campaigns", json=body, headers=admin)
    assert campaign.status_code == 201, campaign.text
    slug: str = campaign.json()["slug"]
    assert (await client.post(f"/api/v1/campaigns/{slug}/send", headers=admin)).status_code == 202
    deadline = time.monotonic() + 60
    while (await client.get(f"/api/v1/campaigns/{slug}", headers=admin)).json()["status"] != "sent":
        assert time.monotonic() < deadline, "the campaign was not sent"
        await asyncio.sleep(0.3)
    return slug


async def slug_of(client: httpx.AsyncClient, kind: str, entry_id: str, lang: str) -> str:
    answer = await client.get(f"/api/v1/{kind}/{entry_id}", params={"lang": lang})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["slug"])


async def check(page: Page, url: str, lang: str) -> None:
    """Open `url`: the right language, axe-clean and no sideways scroll at 1280 and 320 px."""
    answer = await page.goto(url)
    assert answer is not None and answer.status == 200, url
    assert await page.evaluate("document.documentElement.lang") == lang
    for width in (1280, 320):
        await page.set_viewport_size({"width": width, "height": 900})
        violations = await axe_violations(page)
        assert not violations, f"{url} at {width}px:\n{describe(violations)}"
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (url, width)


async def tab_to(page: Page, href_part: str, limit: int = 40) -> None:
    """Press Tab until a link whose address contains `href_part` has the focus, then follow it."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if href_part in (await page.evaluate("document.activeElement.getAttribute('href') || ''")):
            async with page.expect_navigation():
                await page.keyboard.press("Enter")
            return
    raise AssertionError(f"no link to {href_part} reachable by keyboard on {page.url}")


async def test_reading_and_archive_pages_are_accessible_in_both_languages(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        admin = live_server.admin
        uploaded = await client.post(
            "/api/v1/media",
            files={"file": ("sitting.png", media_files.png(1200, 600), "image/png")},
            headers=admin,
        )
        assert uploaded.status_code == 201, uploaded.text
        cover = uploaded.json()["id"]
        alt = {"alt": {"ka": "კომისიის სხდომა", "en": "The Commission in session"}}
        assert (await client.patch(f"/api/v1/media/{cover}", json=alt, headers=admin)).status_code == 200
        news = await publish(
            client, admin, "news", bilingual("სხდომა დასრულდა", "The sitting ended", cover_id=cover)
        )
        event = await publish(
            client,
            admin,
            "events",
            bilingual(
                "კონფერენცია",
                "A conference",
                starts_at="2027-03-01T10:00:00+04:00",
                ends_at="2027-03-01T17:00:00+04:00",
                timezone="Asia/Tbilisi",
            ),
        )
        slug = await sent_newsletter(client, admin, news["id"])
        slugs = {
            (kind, lang): await slug_of(client, kind, entry["id"], lang)
            for kind, entry in (("news", news), ("events", event))
            for lang in ("ka", "en")
        }

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        for lang in ("ka", "en"):
            await check(page, f"{live_server.url}/{lang}/news/{slugs['news', lang]}", lang)
            assert await page.get_attribute("main img", "alt") == alt["alt"][lang]
            other = "en" if lang == "ka" else "ka"
            await tab_to(page, f"/{other}/news/")  # the other language's version, by keyboard
            assert await page.evaluate("document.documentElement.lang") == other
            await check(page, f"{live_server.url}/{lang}/events/{slugs['events', lang]}", lang)
            await check(page, f"{live_server.url}/newsletters/{lang}/", lang)
            await tab_to(page, f"/newsletters/{lang}/{slug}")
            await check(page, page.url, lang)
            assert await page.locator("iframe[title]").count() == 1
            await tab_to(page, f"/subscriptions/{lang}/")
            assert "/subscriptions/" in page.url
        await browser.close()
