"""Fixtures of the newsletters tests: a real SMTP server, the app with its queue, lists, a worker."""

import contextlib
import email
import email.policy
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from litestar import Litestar

from accounts.staff import add_staff
from service.app import create_app
from service.settings import Settings
from tasks.worker import build_worker
from tests.conftest import Database, running
from tests.private_servers import smtp_server

CONFIRM_LINK = re.compile(r"https?://\S+/subscriptions/confirm/[A-Za-z0-9_-]+")


@dataclass
class Inbox:
    """What the test's SMTP server received, as parsed messages with their envelopes."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, rcpt in zip(self.messages, self.recipients, strict=True) if address in rcpt]


def confirm_link(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = CONFIRM_LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(0)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    """A real SMTP server on a free loopback port, and the SMTP_URL that reaches it."""
    inbox = Inbox()
    with smtp_server(inbox, enable_SMTPUTF8=True) as url:
        yield inbox, url


@dataclass
class Newsroom:
    """The app, a client of it, its settings, and a way to run the queued jobs."""

    app: Litestar
    client: httpx.AsyncClient
    settings: Settings
    admin: dict[str, str]

    async def run_jobs(self) -> None:
        worker = build_worker(self.app.state.queue, self.settings, burst=True, handle_signals=False)
        await worker.main()

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(path, **kwargs)

    async def subscribe(self, address: str, lists: list[str] | None = None, **extra: Any) -> httpx.Response:
        body = {"email": address, "lists": lists or ["press"], "consent": True, **extra}
        return await self.client.post("/api/v1/subscriptions", json=body)

    async def find(self, q: str) -> dict[str, Any]:
        found = (await self.client.get("/api/v1/subscribers", params={"q": q}, headers=self.admin)).json()
        assert len(found["items"]) == 1, found
        return found["items"][0]  # type: ignore[no-any-return]

    async def history(self, subscriber_id: str) -> list[dict[str, Any]]:
        response = await self.client.get(f"/api/v1/subscribers/{subscriber_id}/consent", headers=self.admin)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


LISTS = [
    {"slug": "press", "name": {"ka": "პრესა", "en": "Press"}, "public": True},
    {"slug": "partners", "name": {"ka": "პარტნიორები", "en": "Partners"}, "public": True},
    {"slug": "commission", "name": {"ka": "კომისიის წევრები", "en": "Commission members"}, "public": False},
]


@contextlib.asynccontextmanager
async def newsroom_for(settings: Settings, db: Database) -> AsyncIterator[Newsroom]:
    app = create_app(settings)
    async with running(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            token = (await add_staff("admin@scmi.test", "admin", name="Admin")).token
            admin = {"Authorization": f"Bearer {token}"}
            for body in LISTS:
                response = await client.post("/api/v1/lists", json=body, headers=admin)
                assert response.status_code == 201, response.text
            yield Newsroom(app=app, client=client, settings=settings, admin=admin)
    db.bind()


@pytest.fixture
async def newsroom(settings: Settings, db: Database) -> AsyncIterator[Newsroom]:
    """The app on the file outbox (no SMTP_URL), with lists press, partners (public), commission."""
    async with newsroom_for(settings, db) as room:
        yield room


@pytest.fixture
async def newsroom_smtp(settings: Settings, db: Database, smtp: tuple[Inbox, str]) -> AsyncIterator[Newsroom]:
    """The same app, mailing through the test's SMTP server."""
    async with newsroom_for(replace(settings, smtp_url=smtp[1]), db) as room:
        yield room
