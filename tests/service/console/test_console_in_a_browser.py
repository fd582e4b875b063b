"""The console in headless Chromium against a live `scmi run`: invite, password, TOTP, sign-in, by keyboard,
with and without JavaScript, axe-clean at desktop and phone width, nothing fetched from elsewhere."""

import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.async_api import Page, async_playwright

from tests.accessibility import axe_violations, describe
from tests.conftest import Database
from tests.live_scmi import SCMI, scmi_run
from tests.private_servers import free_port
from tests.service.console.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
async def live(db: Database, tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, str]]]:
    """`scmi run` on a free port; yields its address and the environment the CLI needs to reach it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": db.url, "DATA_DIR": str(tmp_path / "data"), "PUBLIC_URL": url}
    async with scmi_run(env, port, tmp_path / "server.log"):
        yield url, env


def invite(env: dict[str, str], email: str, role: str, lang: str) -> str:
    """The welcome link `scmi staff invite` prints."""
    done = subprocess.run(
        [SCMI, "staff", "invite", email, "--role", role, "--lang", lang],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip().splitlines()[-1]


async def check_page(page: Page, origin: str, offsite: list[str]) -> None:
    """axe-clean at 1280 and 320 px, no horizontal scroll on a phone, nothing fetched from elsewhere."""
    for width in (1280, 320):
        await page.set_viewport_size({"width": width, "height": 900})
        violations = await axe_violations(page)
        assert not violations, f"{page.url} at {width}px:\n{describe(violations)}"
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.set_viewport_size({"width": 1280, "height": 900})
    assert not offsite, offsite
    assert await page.evaluate("document.documentElement.lang") in {"ka", "en"}


async def test_admin_from_invitation_to_dashboard_by_keyboard(live: tuple[str, dict[str, str]]) -> None:
    url, env = live
    link = invite(env, "admin@example.org", "admin", "en")
    assert link.startswith(f"{url}/console/welcome/scmiw_")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        offsite: list[str] = []
        origin = urlsplit(url).netloc
        page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)

        await page.goto(link)
        await check_page(page, origin, offsite)
        await page.keyboard.press("Tab")  # skip link
        await page.keyboard.press("Tab")  # the brand link
        await page.keyboard.press("Tab")
        await page.keyboard.type("password1234")
        await page.keyboard.press("Enter")
        await page.wait_for_selector(".error-summary")
        await check_page(page, origin, offsite)
        await page.click(".error-summary a")
        assert await page.evaluate("document.activeElement.id") == "password"
        await page.keyboard.type(PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/console/sign-in?done=password&lang=en")
        assert "password is saved" in await page.inner_text("main")
        await check_page(page, origin, offsite)

        await page.fill("#email", "admin@example.org")
        await page.fill("#password", PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{url}/console/second-factor")
        await check_page(page, origin, offsite)
        secret = (await page.inner_text("code.key")).strip()
        await page.fill("#code", pyotp.TOTP(secret).now())
        await page.keyboard.press("Enter")
        await page.wait_for_selector("ol.codes li")
        assert await page.locator("ol.codes li").count() == 10
        await check_page(page, origin, offsite)
        await page.click("text=Go to the console")
        assert await page.inner_text("h1") == "Hello, admin"
        await check_page(page, origin, offsite)
        # The interface speaks Georgian when asked.
        await page.click("header button[lang=ka]")
        assert await page.evaluate("document.documentElement.lang") == "ka"
        assert "მიმოხილვა" in await page.inner_text("header")
        await check_page(page, origin, offsite)
        await browser.close()


async def test_editor_signs_in_and_out_without_javascript(live: tuple[str, dict[str, str]]) -> None:
    url, env = live
    link = invite(env, "editor@example.org", "editor", "ka")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(java_script_enabled=False)
        page = await context.new_page()
        await page.goto(link)
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.fill("#email", "editor@example.org")
        await page.fill("#password", PASSWORD)
        await page.click("main button[type=submit]")
        await page.wait_for_url(f"{url}/console/")
        assert "გამარჯობა" in await page.inner_text("h1")
        await page.click("text=გასვლა")
        await page.wait_for_url(f"{url}/console/sign-in?done=signed-out")
        await page.goto(f"{url}/console/")
        assert page.url == f"{url}/console/sign-in"
        await browser.close()
