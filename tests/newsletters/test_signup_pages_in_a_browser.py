"""A person signs up from /subscriptions/ka/ in headless Chromium with the keyboard alone, at 320 px: the
mail's link, opened first by a scanner, changes nothing; the page's button confirms; a campaign's list is
left and the other stays. axe-core (WCAG 2.1 A and AA) finds no violation on any page on the way."""

import time
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright

from tests.accessibility import axe_violations, describe
from tests.newsletters.conftest import Inbox
from tests.newsletters.test_subscribing_in_a_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    live_server,  # noqa: F401 (the fixture)
    wait_for_mail,
)

MIN_FILL_SECONDS = 3.2  # SIGNUP_MIN_SECONDS is 3 by default: a person takes longer than a bot


async def check_page(page: Page, lang: str, seen: list[str]) -> None:
    """The page has the right `lang`, no axe violation, and nothing wider than a 320 px screen."""
    assert await page.evaluate("document.documentElement.lang") == lang, page.url
    violations = await axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, (page.url, width)
    path = "/".join(page.url.split("/", 3)[-1].split("?")[0].split("/")[:3])  # no tokens in the log
    seen.append(f"/{path} [{await page.locator('h1').inner_text()}]")


async def tab_to(page: Page, selector: str, limit: int = 25) -> None:
    """Press Tab until the element matching `selector` has the focus (as a keyboard user moves)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


async def history(client: httpx.AsyncClient, server: LiveServer, address: str) -> tuple[Any, list[Any]]:
    found = (await client.get("/api/v1/subscribers", params={"q": address}, headers=server.admin)).json()
    [person] = found["items"]
    events = await client.get(f"/api/v1/subscribers/{person['id']}/consent", headers=server.admin)
    return person, events.json()


async def test_sign_up_confirm_and_leave_one_list_with_the_keyboard_at_320_px(
    live_server: LiveServer,  # noqa: F811 (the fixture imported above)
    smtp: tuple[Inbox, str],
) -> None:
    inbox, seen = smtp[0], []
    async with httpx.AsyncClient(base_url=live_server.url) as client, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 320, "height": 640})

        await page.goto(f"{live_server.url}/subscriptions/en/press")
        await check_page(page, "en", seen)
        await tab_to(page, "button[type=submit]")
        await page.keyboard.press("Enter")  # nothing filled in: the errors, summarised
        await page.wait_for_selector(".error-summary")
        await check_page(page, "en", seen)

        await page.goto(f"{live_server.url}/subscriptions/ka/")
        loaded = time.monotonic()
        await check_page(page, "ka", seen)
        await tab_to(page, "#email")
        await page.keyboard.type("nino@press.ge")
        await tab_to(page, "#name")
        await page.keyboard.type("ნინო")
        for checkbox in ("#lists-partners", "#lists-press", "#consent"):
            await tab_to(page, checkbox)
            await page.keyboard.press("Space")
            assert await page.is_checked(checkbox)
        await tab_to(page, "button[type=submit]")
        await page.wait_for_timeout(max(0, MIN_FILL_SECONDS - (time.monotonic() - loaded)) * 1000)
        await page.keyboard.press("Enter")
        await page.wait_for_selector("h1:has-text('შეამოწმეთ ელფოსტა')")
        await check_page(page, "ka", seen)

        link = await wait_for_mail(inbox, "nino@press.ge")
        for _ in range(2):  # a corporate mail gateway's scanner opens the link first
            scanned = await client.get(link, headers={"User-Agent": "SafeLinks-Scanner/1.0"})
            assert scanned.status_code == 200
        person, events = await history(client, live_server, "nino@press.ge")
        assert person["status"] == "pending"
        assert [event["action"] for event in events] == ["subscribe"]

        await page.goto(link)
        await check_page(page, "ka", seen)
        await tab_to(page, "button[type=submit]")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("h1:has-text('გამოწერა დადასტურებულია')")
        await check_page(page, "ka", seen)
        user_agent = await page.evaluate("navigator.userAgent")
        person, events = await history(client, live_server, "nino@press.ge")
        assert person["status"] == "active"
        assert [event["action"] for event in events] == ["subscribe", "confirm"]
        assert events[1]["user_agent"] == user_agent and events[1]["source"] == "confirm-page"

        await tab_to(page, "a[href^='/subscriptions/preferences/']")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("h1:has-text('გამოწერის პარამეტრები')")
        await check_page(page, "ka", seen)
        assert "n***@press.ge" in await page.content()
        token = page.url.rsplit("/", 1)[1]

        body = {
            "template": "newsletter",
            "subject": {"ka": "სიახლეები", "en": "News"},
            "intro": {"ka": "შესავალი", "en": "Intro"},
            "entries": [],
            "lists": ["press"],
            "from_address": "newsroom@newsroom.test",
        }
        campaign = await client.post("/api/v1/campaigns", json=body, headers=live_server.admin)
        assert campaign.status_code == 201, campaign.text
        await page.goto(
            f"{live_server.url}/subscriptions/unsubscribe/{token}?campaign={campaign.json()['slug']}"
        )
        await check_page(page, "ka", seen)
        await tab_to(page, "form:has(input[value=campaign]) button")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("h1:has-text('სიები დატოვეთ')")
        await check_page(page, "ka", seen)
        assert "კვლავ მიიღებთ: პარტნიორები" in await page.locator("main").inner_text()
        await tab_to(page, "a[href='/subscriptions/ka/']")  # the way back: sign up again
        await page.keyboard.press("Enter")
        await page.wait_for_selector("h1:has-text('საინფორმაციო ბიულეტენების გამოწერა')")
        await browser.close()

        person, events = await history(client, live_server, "nino@press.ge")
    assert person["status"] == "active"
    assert {item["list"]: item["status"] for item in person["lists"]} == {
        "partners": "active",
        "press": "unsubscribed",
    }
    assert [event["action"] for event in events] == ["subscribe", "confirm", "leave"]
    assert events[2]["lists"] == ["press"]
    print("axe-checked pages:", *seen, sep="\n  ")
