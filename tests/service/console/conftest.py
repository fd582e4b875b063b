"""A browser-like client of the console: HTTPS (its cookies are Secure), forms with their CSRF token."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from service.app import create_app
from service.settings import Settings
from tasks.worker import build_worker
from tests.conftest import Database, running

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
PASSWORD = "ნისლიანი-მთა-და-მდინარე-2026"


class ConsoleClient(httpx.AsyncClient):
    """An httpx client that fills in each form's CSRF token from the page it was served on."""

    app: Litestar | None = None  # the app it talks to, whose queue `run_jobs` works off

    async def run_jobs(self, settings: Settings) -> None:
        """Run every job the app has queued (a burst worker on its queue), as `scmi worker` would."""
        assert self.app is not None
        worker = build_worker(
            self.app.state.queue, settings, burst=True, handle_signals=False, with_cron=False
        )
        await worker.main()

    async def submit(self, page: str, action: str, fields: dict[str, str]) -> httpx.Response:
        """GET `page`, then POST `fields` to `action` with the form's token, as a browser would."""
        served = await self.get(page)
        match = CSRF_FIELD.search(served.text)
        assert match, f"no CSRF token on {page}: {served.status_code}"
        return await self.post(action, data={"_csrf_token": match.group(1), **fields})


@pytest.fixture
async def console(settings: Settings, db: Database) -> AsyncIterator[ConsoleClient]:
    app = create_app(settings)
    async with running(app):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 4000))
        async with ConsoleClient(transport=transport, base_url="https://newsroom.test") as client:
            client.app = app
            yield client
    db.bind()
