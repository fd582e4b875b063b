"""The axe-core helper finds what it should (so a page that passes it has really been checked)."""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.accessibility import axe_violations, describe

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def test_axe_finds_the_faults_of_a_bad_page_and_none_on_a_plain_one(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content('<html><body><img src="data:,"><input type="text"></body></html>')
    found = {v["id"] for v in await axe_violations(page)}
    assert {"html-has-lang", "document-title", "image-alt", "label"} <= found
    await page.set_content(
        '<!doctype html><html lang="ka"><head><title>გამოწერა</title></head><body><main>'
        '<h1>გამოწერა</h1><label for="e">ელფოსტა</label><input id="e" type="email"></main></body></html>'
    )
    violations = await axe_violations(page)
    assert violations == [], describe(violations)
