"""The API documentation renders in headless Chromium from the service alone: nothing fetched elsewhere,
no script blocked by its policy, every tag of the API listed."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import async_playwright

from tests.live_scmi import scmi_run
from tests.private_servers import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


async def test_the_documentation_works_with_no_internet(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "PUBLIC_URL": url}
    env.pop("DATABASE_URL", None)
    async with scmi_run(env, port, tmp_path / "server.log"), async_playwright() as playwright:
        async with httpx.AsyncClient(base_url=url) as client:
            tags = {tag for path in (await client.get("/schema/openapi.json")).json()["paths"].values()
                    for operation in path.values() for tag in operation.get("tags", [])}  # fmt: skip
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        offsite: list[str] = []
        blocked: list[str] = []
        page.on(
            "request",
            lambda r: (
                offsite.append(r.url)
                if urlsplit(r.url).netloc not in {f"127.0.0.1:{port}", ""} and not r.url.startswith("data:")
                else None
            ),
        )
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        await page.goto(f"{url}/schema")
        await page.wait_for_selector(".opblock-tag", timeout=20_000)
        shown = set(
            await page.locator(".opblock-tag").evaluate_all("(tags) => tags.map((t) => t.dataset.tag)")
        )
        assert tags and tags <= shown, tags - shown
        assert await page.locator(".opblock").count() > 50
        assert "SCMI newsroom API" in await page.locator(".info .title").inner_text()
        await browser.close()
    assert not offsite, offsite
    assert not blocked, blocked
