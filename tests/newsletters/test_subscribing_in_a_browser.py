"""The whole path in headless Chromium against a live server: subscribe in Georgian, confirm from the
mail's link (its page's button), switch to English on the preferences page, unsubscribe with the page's button."""

import asyncio
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright

from accounts.staff import add_staff
from tests.conftest import Database
from tests.live_scmi import scmi_run
from tests.newsletters.conftest import LISTS, Inbox, confirm_link
from tests.private_servers import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Georgian renders when its letters measure unlike the font's "missing glyph" box.
GEORGIAN_RENDERS = """() => {
  const context = document.createElement('canvas').getContext('2d');
  context.font = getComputedStyle(document.body).font;
  return context.measureText('აბგდევზ').width !== context.measureText('\\u0378'.repeat(7)).width;
}"""


@dataclass
class LiveServer:
    url: str
    admin: dict[str, str]


@pytest.fixture
async def live_server(db: Database, tmp_path: Path, smtp: tuple[Inbox, str]) -> AsyncIterator[LiveServer]:
    """`scmi run` (API and worker in one process) on a free loopback port, mailing the test's SMTP server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "DATA_DIR": str(tmp_path / "data"),
        "SMTP_URL": smtp[1],
        "PUBLIC_URL": url,
    }
    async with scmi_run(env, port, tmp_path / "server.log") as url, httpx.AsyncClient(base_url=url) as client:
        token = (await add_staff("admin@scmi.test", "admin", name="Admin")).token
        admin = {"Authorization": f"Bearer {token}"}
        for body in LISTS:
            assert (await client.post("/api/v1/lists", json=body, headers=admin)).status_code == 201
        yield LiveServer(url=url, admin=admin)


async def wait_for_mail(inbox: Inbox, address: str) -> str:
    deadline = time.monotonic() + 30
    while not inbox.to(address):
        assert time.monotonic() < deadline, "no confirmation mail arrived"
        await asyncio.sleep(0.1)
    return confirm_link(inbox.to(address)[0])


async def test_subscribe_confirm_change_language_and_unsubscribe_in_chromium(
    live_server: LiveServer, smtp: tuple[Inbox, str]
) -> None:
    inbox = smtp[0]
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        response = await client.post(
            "/api/v1/subscriptions",
            json={
                "email": "nino@press.ge",
                "name": "ნინო",
                "lang": "ka",
                "lists": ["press"],
                "consent": True,
            },
        )
        assert response.status_code == 202
        link = await wait_for_mail(inbox, "nino@press.ge")
        assert link.startswith(f"{live_server.url}/subscriptions/confirm/")

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page()
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))

            await page.goto(link)
            assert await page.locator("h1").inner_text() == "დაადასტურეთ გამოწერა"
            await page.get_by_role("button", name="გამოწერის დადასტურება").click()
            await page.wait_for_selector("h1:has-text('გამოწერა დადასტურებულია')")
            assert await page.evaluate("document.documentElement.lang") == "ka"
            assert await page.evaluate(GEORGIAN_RENDERS)
            # The inline style is allowed by its hash: the page is styled, not blocked.
            assert await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"

            await page.get_by_role("link", name="გამოწერის პარამეტრები").click()
            assert await page.locator("h1").inner_text() == "გამოწერის პარამეტრები"
            assert await page.get_by_role("checkbox", name="პრესა").is_checked()
            await page.get_by_role("radio", name="English").check()
            await page.get_by_role("button", name="შენახვა").click()
            await page.wait_for_selector("text=Your changes are saved.")
            assert await page.evaluate("document.documentElement.lang") == "en"
            assert await page.locator("h1").inner_text() == "Subscription preferences"
            token = page.url.rsplit("/", 1)[1]

            await page.goto(f"{live_server.url}/subscriptions/unsubscribe/{token}")
            assert await page.locator("h1").inner_text() == "Unsubscribe"
            assert await page.get_by_role("button").count() == 1
            await page.get_by_role("button", name="Unsubscribe").click()
            await page.wait_for_selector("text=You are unsubscribed")
            user_agent = await page.evaluate("navigator.userAgent")
            await browser.close()
        assert not [text for text in console if "Content Security Policy" in text], console

        found = (
            await client.get("/api/v1/subscribers", params={"q": "nino"}, headers=live_server.admin)
        ).json()
        [person] = found["items"]
        assert person["status"] == "unsubscribed"
        assert person["lang"] == "en"
        history = (
            await client.get(f"/api/v1/subscribers/{person['id']}/consent", headers=live_server.admin)
        ).json()
    assert [event["action"] for event in history] == ["subscribe", "confirm", "preferences", "unsubscribe"]
    assert [event["source"] for event in history] == [
        "api",
        "confirm-page",
        "preferences-page",
        "unsubscribe-page",
    ]
    assert all(event["user_agent"] == user_agent for event in history[1:])
    assert history[0]["consent_text"].startswith("ვეთანხმები")
    assert history[2]["consent_text"].startswith("I change my choice")
