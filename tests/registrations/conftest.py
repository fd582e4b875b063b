"""Fixtures of the registrations tests: the app mailing through a real SMTP server, events with places."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from email.message import EmailMessage
from typing import Any

import pytest

from accounts.staff import add_staff
from service.settings import Settings
from tests.conftest import Database
from tests.helpers import bilingual
from tests.newsletters.conftest import Inbox, Newsroom, newsroom_for, smtp

__all__ = ["smtp"]

PAGE_LINK = re.compile(r"https?://\S+/registrations/[A-Za-z0-9_-]+")
JSON = {"Accept": "application/json"}


def page_link(message: EmailMessage) -> str:
    """The registrant's page linked from a mail (path only)."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = PAGE_LINK.search(body.get_content())
    assert found, body.get_content()
    return "/registrations/" + found.group(0).rsplit("/", 1)[1]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def invitation_of(message: EmailMessage) -> bytes | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return bytes(part.get_payload(decode=True))
    return None


def sitting(**registration: Any) -> dict[str, Any]:
    """A Commission sitting in Tbilisi with registration settings."""
    body = bilingual(
        "კომისიის სხდომა",
        "Commission sitting",
        starts_at="2030-12-18T10:00:00+04:00",
        ends_at="2030-12-18T13:00:00+04:00",
        timezone="Asia/Tbilisi",
        registration={"open": True, **registration},
    )
    body["translations"]["ka"]["location"] = "თბილისი, სანაპიროს ქ. 4"
    body["translations"]["en"]["location"] = "4 Sanapiro St, Tbilisi"
    return body


@dataclass
class Desk:
    """The newsroom with an editor's headers, and ways to make events and register for them."""

    room: Newsroom
    editor: dict[str, str]
    inbox: Inbox

    @property
    def client(self) -> Any:
        return self.room.client

    async def event(self, **registration: Any) -> dict[str, Any]:
        created = await self.client.post("/api/v1/events", json=sitting(**registration), headers=self.editor)
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]
        published = await self.client.post(f"/api/v1/events/{event_id}/publish", headers=self.editor)
        assert published.status_code == 200, published.text
        return published.json()  # type: ignore[no-any-return]

    async def register(self, event_id: str, email: str, **extra: Any) -> Any:
        body = {"email": email, "name": extra.pop("name", "Nino"), "consent": True, **extra}
        return await self.client.post(f"/api/v1/events/{event_id}/registrations", json=body)

    async def registered(self, event_id: str, email: str, **extra: Any) -> str:
        """Register and return the registrant's page (from the confirmation mail)."""
        response = await self.register(event_id, email, **extra)
        assert response.status_code == 202, response.text
        await self.room.run_jobs()
        return page_link(self.inbox.to(email)[-1])

    async def confirm(self, link: str) -> Any:
        return await self.client.post(link, json={"action": "confirm"}, headers=JSON)

    async def staff_list(self, event_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/events/{event_id}/registrations", headers=self.editor)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
async def desk(settings: Settings, db: Database, smtp: tuple[Inbox, str]) -> AsyncIterator[Desk]:
    async with newsroom_for(replace(settings, smtp_url=smtp[1], signup_min_seconds=0.0), db) as room:
        token = (await add_staff("editor@scmi.test", "editor", name="Editor")).token
        yield Desk(room=room, editor={"Authorization": f"Bearer {token}"}, inbox=smtp[0])
