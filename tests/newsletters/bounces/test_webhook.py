"""`POST /api/v1/bounces` with BOUNCE_WEBHOOK_TOKEN, its refusals, and who may read the listings."""

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from prometheus_client import REGISTRY

from accounts.staff import add_staff
from newsletters.tables import Bounce, ConsentEvent
from service.settings import Settings
from tests.conftest import Database
from tests.newsletters.conftest import Newsroom, newsroom_for
from tests.newsletters.test_campaigns import add_partners

TOKEN = "webhook-token-of-the-mail-service-0123456789"
PEOPLE = [("soft@partner.example", "en", "Soft"), ("angry@partner.example", "en", "Angry")]


@pytest.fixture
async def room(settings: Settings, db: Database) -> AsyncIterator[Newsroom]:
    async with newsroom_for(
        replace(settings, bounce_webhook_token=TOKEN, bounce_soft_limit=2), db
    ) as newsroom:
        await add_partners(newsroom, PEOPLE)
        yield newsroom


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_wrong_tokens_are_refused_and_change_nothing(room: Newsroom) -> None:
    body = {"email": "angry@partner.example", "type": "complaint"}
    staff_token = (await add_staff("editor@scmi.test", "editor", name="Editor")).token
    for headers in ({}, bearer("wrong"), bearer(TOKEN + "x"), bearer(staff_token), {"Authorization": TOKEN}):
        response = await room.post("/api/v1/bounces", json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    # A stranger's body is not even read: junk with a wrong token is 401 too, not 400 or 422.
    junk = await room.post("/api/v1/bounces", content=b"{not json", headers=bearer("wrong"))
    assert junk.status_code == 401
    assert await Bounce.count() == 0
    assert (await room.find("angry@partner.example"))["status"] == "active"
    assert not await ConsentEvent.exists().where(ConsentEvent.action == "complained")


async def test_a_complaint_and_soft_bounces_through_the_webhook(room: Newsroom) -> None:
    complaint = await room.post(
        "/api/v1/bounces",
        json={"email": "Angry@Partner.example", "type": "complaint", "reason": "marked as spam"},
        headers=bearer(TOKEN),
    )
    assert complaint.status_code == 202, complaint.text
    assert complaint.json() == {"effect": "complained"}
    angry = await room.find("angry@partner.example")
    assert angry["status"] == "complained"
    last = (await room.history(angry["id"]))[-1]
    assert (last["action"], last["source"], last["basis"]) == (
        "complained",
        "bounce_webhook",
        "marked as spam",
    )

    soft = {"email": "soft@partner.example", "type": "soft", "reason": "452 mailbox full"}
    first = await room.post("/api/v1/bounces", json=soft, headers=bearer(TOKEN))
    assert first.json() == {"effect": "counted"}
    assert (await room.find("soft@partner.example"))["status"] == "active"
    second = await room.post("/api/v1/bounces", json=soft, headers=bearer(TOKEN))
    assert second.json() == {"effect": "bounced"}  # BOUNCE_SOFT_LIMIT=2 here
    assert (await room.find("soft@partner.example"))["status"] == "bounced"

    unknown = await room.post(
        "/api/v1/bounces", json={"email": "stranger@else.example", "type": "hard"}, headers=bearer(TOKEN)
    )
    assert unknown.json() == {"effect": "none"}

    listing = await room.client.get("/api/v1/bounces", headers=room.admin)
    assert [b["kind"] for b in listing.json()] == ["hard", "soft", "soft", "complaint"]
    only_soft = await room.client.get("/api/v1/bounces", params={"kind": "soft"}, headers=room.admin)
    assert [b["effect"] for b in only_soft.json()] == ["bounced", "counted"]
    wrong_kind = await room.client.get("/api/v1/bounces", params={"kind": "spam"}, headers=room.admin)
    assert wrong_kind.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"email": "soft@partner.example", "type": "bounce"},
        {"type": "hard"},
        {"email": "", "type": "hard"},
        {"email": "soft@partner.example", "type": "hard", "extra": 1},
    ],
)
async def test_bad_bodies_are_422_and_change_nothing(room: Newsroom, body: dict[str, object]) -> None:
    response = await room.post("/api/v1/bounces", json=body, headers=bearer(TOKEN))
    assert response.status_code == 422, response.text
    assert await Bounce.count() == 0


async def test_without_a_token_set_the_webhook_is_not_there(settings: Settings, db: Database) -> None:
    async with newsroom_for(settings, db) as room:
        response = await room.post("/api/v1/bounces", json={"email": "a@b.example", "type": "hard"})
        assert response.status_code == 404


async def test_listings_need_admin_and_editor(room: Newsroom) -> None:
    editor = bearer((await add_staff("editor@scmi.test", "editor", name="Editor")).token)
    author = bearer((await add_staff("author@scmi.test", "author", name="Author")).token)
    assert (await room.client.get("/api/v1/bounces", headers=editor)).status_code == 403
    assert (await room.client.get("/api/v1/bounces")).status_code == 401
    created = await room.post(
        "/api/v1/campaigns",
        json={"template": "newsletter", "subject": {"ka": "ა", "en": "A"}, "lists": ["partners"]},
        headers=room.admin,
    )
    assert created.status_code == 201, created.text
    path = f"/api/v1/campaigns/{created.json()['slug']}/bounces"
    assert (await room.client.get(path, headers=author)).status_code == 403
    own = await room.client.get(path, headers=editor)
    assert own.status_code == 200 and own.json() == []
    assert (await room.client.get("/api/v1/campaigns/no-such/bounces", headers=editor)).status_code == 404


async def test_erasure_takes_the_address_out_of_the_bounces_and_it_stays_refused(room: Newsroom) -> None:
    body = {"email": "angry@partner.example", "type": "complaint"}
    assert (await room.post("/api/v1/bounces", json=body, headers=bearer(TOKEN))).status_code == 202
    angry = await room.find("angry@partner.example")
    erased = await room.client.delete(f"/api/v1/subscribers/{angry['id']}", headers=room.admin)
    assert erased.status_code == 204, erased.text
    [kept] = (await room.client.get("/api/v1/bounces", headers=room.admin)).json()
    assert kept["email"] == "" and kept["kind"] == "complaint" and kept["subscriber"] == angry["id"]
    again = await room.post(
        "/api/v1/subscribers",
        json={"email": "angry@partner.example", "basis": "asked again", "lists": ["partners"]},
        headers=room.admin,
    )
    assert again.status_code == 409


async def test_what_came_back_is_counted_for_the_operator(room: Newsroom) -> None:
    before = REGISTRY.get_sample_value("scmi_bounces_total", {"kind": "hard", "effect": "bounced"}) or 0.0
    body = {"email": "soft@partner.example", "type": "hard", "reason": "550 no such user"}
    assert (await room.post("/api/v1/bounces", json=body, headers=bearer(TOKEN))).status_code == 202
    after = REGISTRY.get_sample_value("scmi_bounces_total", {"kind": "hard", "effect": "bounced"})
    assert after == before + 1
