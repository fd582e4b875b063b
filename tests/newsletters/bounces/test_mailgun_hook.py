"""`POST /hooks/mailgun`: events signed with the webhook signing key (HMAC-SHA256 of timestamp and token);
wrong keys, stale and replayed signatures are 401 and change nothing."""

import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from newsletters.tables import Bounce, ConsentEvent
from service.settings import Settings
from tests.conftest import Database
from tests.newsletters.conftest import Newsroom, newsroom_for
from tests.newsletters.test_campaigns import add_partners

KEY = "key-of-the-mailgun-webhooks-0123456789abcdef"
PEOPLE = [("gone@partner.example", "en", "Gone"), ("angry@partner.example", "en", "Angry")]


@pytest.fixture
async def room(settings: Settings, db: Database) -> AsyncIterator[Newsroom]:
    async with newsroom_for(
        replace(settings, bounce_mailgun_signing_key=KEY, bounce_soft_limit=2), db
    ) as newsroom:
        await add_partners(newsroom, PEOPLE)
        yield newsroom


def signature(key: str = KEY, timestamp: float | None = None, token: str | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if timestamp is None else timestamp))
    token = token or secrets.token_hex(25)  # 50 characters, as Mailgun's
    digest = hmac.new(key.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": stamp, "token": token, "signature": digest}


def event(address: str, what: str = "failed", severity: str = "permanent") -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex[:22],
        "event": what,
        "severity": severity,
        "recipient": address,
        "timestamp": time.time(),
        "reason": "bounce",
        "delivery-status": {
            "code": 550,
            "message": "5.1.1 The email account does not exist",
            "description": "",
        },
        "message": {"headers": {"message-id": "20261202.abc@newsroom.test"}},
        "envelope": {"sender": "newsroom@scmi.example"},
    }


async def post(room: Newsroom, body: dict[str, Any]) -> Any:
    return await room.post("/hooks/mailgun", json=body)


async def test_failures_and_complaints_take_effect(room: Newsroom) -> None:
    hard = await post(room, {"signature": signature(), "event-data": event("gone@partner.example")})
    assert hard.status_code == 200, hard.text
    assert hard.json() == {"effects": ["bounced"], "subscription": None}
    complaint = await post(
        room, {"signature": signature(), "event-data": event("angry@partner.example", "complained")}
    )
    assert complaint.json()["effects"] == ["complained"]
    assert (await room.find("gone@partner.example"))["status"] == "bounced"
    angry = await room.find("angry@partner.example")
    assert angry["status"] == "complained"
    assert (await room.history(angry["id"]))[-1]["source"] == "bounce_mailgun"
    gone = await room.find("gone@partner.example")
    assert "550" in (await room.history(gone["id"]))[-1]["basis"]
    # Deliveries, opens and the like are taken (200) and change nothing.
    delivered = await post(
        room, {"signature": signature(), "event-data": event("x@partner.example", "delivered")}
    )
    assert delivered.json()["effects"] == []
    assert await Bounce.count() == 2


async def test_temporary_failures_are_soft(room: Newsroom) -> None:
    # A message Mailgun retried twice with the same event id is one soft bounce, not two.
    first = event("gone@partner.example", severity="temporary")
    assert (await post(room, {"signature": signature(), "event-data": first})).json()["effects"] == [
        "counted"
    ]
    again = await post(room, {"signature": signature(), "event-data": first})
    assert again.json()["effects"] == ["duplicate"]
    assert (await room.find("gone@partner.example"))["status"] == "active"
    second = event("gone@partner.example", severity="temporary")
    assert (await post(room, {"signature": signature(), "event-data": second})).json()["effects"] == [
        "bounced"
    ]


async def test_a_signature_is_spent_on_first_use(room: Newsroom) -> None:
    seen = signature()
    delivered = await post(
        room, {"signature": seen, "event-data": event("angry@partner.example", "delivered")}
    )
    assert delivered.status_code == 200
    # Someone who saw that request sends the same signature with a complaint of their own.
    replay = await post(room, {"signature": seen, "event-data": event("angry@partner.example", "complained")})
    assert replay.status_code == 401, replay.text
    assert (await room.find("angry@partner.example"))["status"] == "active"


def refused_bodies() -> list[tuple[str, Any]]:
    complaint = event("angry@partner.example", "complained")
    good = signature()
    return [
        ("another key", {"signature": signature("another-key"), "event-data": complaint}),
        ("signature changed", {"signature": {**good, "signature": good["signature"][::-1]}, "event-data": complaint}),
        ("token changed", {"signature": {**good, "token": good["token"] + "x"}, "event-data": complaint}),
        ("an hour old", {"signature": signature(timestamp=time.time() - 3600), "event-data": complaint}),
        ("an hour ahead", {"signature": signature(timestamp=time.time() + 3600), "event-data": complaint}),
        ("not a number", {"signature": signature(timestamp=None) | {"timestamp": "soon"}, "event-data": complaint}),
        ("no signature", {"event-data": complaint}),
        ("empty", {}),
        ("a list", []),
    ]  # fmt: skip


async def test_refusals_are_401_and_change_nothing(room: Newsroom) -> None:
    for name, body in refused_bodies():
        answer = await post(room, body)
        assert answer.status_code == 401, (name, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json"), name
    assert (await room.post("/hooks/mailgun", content=b"{not json")).status_code == 401
    assert await Bounce.count() == 0
    assert not await ConsentEvent.exists().where(ConsentEvent.action == "complained")
