"""`POST /api/v1/subscriptions`: one answer for every address, validation, throttling, rate limit."""

import asyncio
import email
import email.policy
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest

from core.db import utcnow
from newsletters.tokens import confirmation_token
from service.settings import Settings
from tests.conftest import Database
from tests.newsletters.conftest import Newsroom, newsroom_for


def outbox(room: Newsroom) -> list[bytes]:
    return sorted(path.read_bytes() for path in room.settings.outbox_dir.glob("*.eml"))


async def test_known_and_unknown_addresses_get_the_same_answer(newsroom: Newsroom) -> None:
    first = await newsroom.subscribe("new@example.ge")
    pending = await newsroom.subscribe("new@example.ge")
    await newsroom.client.post(
        "/api/v1/subscribers",
        json={"email": "known@example.ge", "basis": "partnership agreement 12/2026", "lists": ["press"]},
        headers=newsroom.admin,
    )
    active = await newsroom.subscribe("KNOWN@example.ge")
    unknown = await newsroom.subscribe("stranger@example.org")
    answers = [
        (r.status_code, r.content, r.headers.get("content-type")) for r in (first, pending, active, unknown)
    ]
    assert len(set(answers)) == 1
    assert first.status_code == 202
    assert first.json()["status"] == "accepted"


async def test_a_stranger_cannot_change_a_known_subscribers_details(newsroom: Newsroom) -> None:
    await newsroom.client.post(
        "/api/v1/subscribers",
        json={"email": "ana@example.ge", "name": "ანა", "basis": "partnership agreement", "lists": ["press"]},
        headers=newsroom.admin,
    )
    await newsroom.subscribe("ana@example.ge", name="Mallory", lang="en")
    person = await newsroom.find("ana@example.ge")
    assert (person["name"], person["lang"], person["status"]) == ("ანა", "ka", "active")


async def test_at_most_one_confirmation_mail_per_address_in_ten_minutes(newsroom: Newsroom) -> None:
    for _ in range(3):
        assert (await newsroom.subscribe("eka@example.ge")).status_code == 202
    await newsroom.run_jobs()
    assert len(outbox(newsroom)) == 1
    # Three requests are recorded all the same: each is a consent step.
    history = await newsroom.history((await newsroom.find("eka@example.ge"))["id"])
    assert [event["action"] for event in history] == ["subscribe"] * 3


async def test_a_new_mail_goes_out_after_ten_minutes(newsroom: Newsroom) -> None:
    from newsletters.tables import Subscriber

    await newsroom.subscribe("eka@example.ge")
    await Subscriber.update({Subscriber.confirmation_sent_at: utcnow() - timedelta(minutes=11)}, force=True)
    await newsroom.subscribe("eka@example.ge")
    await newsroom.run_jobs()
    assert len(outbox(newsroom)) == 2
    assert b"Content-Language: ka" in outbox(newsroom)[0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address", "lists": ["press"], "consent": True}, "email"),
        ({"email": "a@example", "lists": ["press"], "consent": True}, "email"),
        ({"email": "a@example.ge", "lists": ["press"], "consent": False}, "consent"),
        ({"email": "a@example.ge", "lists": ["commission"], "consent": True}, "lists[0]"),
        ({"email": "a@example.ge", "lists": ["press", "nope"], "consent": True}, "lists[1]"),
    ],
)
async def test_bad_sign_ups_are_refused_with_the_field(
    newsroom: Newsroom, body: dict[str, object], field: str
) -> None:
    response = await newsroom.client.post("/api/v1/subscriptions", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == field


async def test_private_and_unknown_lists_are_refused_alike(newsroom: Newsroom) -> None:
    private = await newsroom.subscribe("a@example.ge", lists=["commission"])
    unknown = await newsroom.subscribe("a@example.ge", lists=["no-such-list"])
    assert private.json()["detail"] == "unknown list 'commission'"
    assert unknown.json()["detail"] == "unknown list 'no-such-list'"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "a@example.ge", "lists": [], "consent": True},
        {"email": "a@example.ge", "lists": ["press"]},
        {"email": "a@example.ge", "lists": ["press"], "consent": True, "lang": "ru"},
        {"email": "a@example.ge", "lists": ["press"], "consent": True, "extra": 1},
    ],
)
async def test_malformed_sign_ups_are_400(newsroom: Newsroom, body: dict[str, object]) -> None:
    response = await newsroom.client.post("/api/v1/subscriptions", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_too_many_sign_ups_from_one_address_get_429(settings: Settings, db: Database) -> None:
    async with newsroom_for(replace(settings, subscribe_limit_per_ip=2), db) as room:
        assert (await room.subscribe("one@example.ge")).status_code == 202
        assert (await room.subscribe("two@example.ge")).status_code == 202
        refused = await room.subscribe("three@example.ge")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 3600
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert (
            await room.client.get("/api/v1/subscribers", params={"q": "three"}, headers=room.admin)
        ).json()["items"] == []


async def test_an_expired_or_forged_confirmation_link_is_refused(newsroom: Newsroom) -> None:
    await newsroom.subscribe("late@example.ge")
    person = await newsroom.find("late@example.ge")
    secret = newsroom.settings.secret_key
    stale = confirmation_token(secret, UUID(person["id"]), utcnow() - timedelta(days=7, minutes=1))
    fresh = confirmation_token(secret, UUID(person["id"]), utcnow() - timedelta(days=6, hours=23))
    forged = confirmation_token("another-key", UUID(person["id"]), utcnow())

    expired = await newsroom.client.get(
        f"/subscriptions/confirm/{stale}", headers={"Accept": "application/json"}
    )
    assert expired.status_code == 409
    assert "expired" in expired.json()["detail"]
    page = await newsroom.client.get(f"/subscriptions/confirm/{stale}")
    assert page.status_code == 409
    assert page.headers["content-type"].startswith("text/html")
    assert "დადასტურების ბმულს ვადა გაუვიდა" in page.text
    assert (await newsroom.client.get(f"/subscriptions/confirm/{forged}")).status_code == 404
    assert (await newsroom.client.get("/subscriptions/confirm/garbage!")).status_code == 404
    assert (await newsroom.find("late@example.ge"))["status"] == "pending"

    assert (await newsroom.client.post(f"/subscriptions/confirm/{stale}")).status_code == 409
    assert (await newsroom.client.post(f"/subscriptions/confirm/{forged}")).status_code == 404
    assert (await newsroom.find("late@example.ge"))["status"] == "pending"

    assert (await newsroom.client.get(f"/subscriptions/confirm/{fresh}")).status_code == 200
    assert (await newsroom.find("late@example.ge"))["status"] == "pending"  # a GET never confirms
    assert (await newsroom.client.post(f"/subscriptions/confirm/{fresh}")).status_code == 200
    assert (await newsroom.find("late@example.ge"))["status"] == "active"


async def test_simultaneous_first_sign_ups_of_one_address_make_one_subscriber(newsroom: Newsroom) -> None:
    answers = await asyncio.gather(*(newsroom.subscribe("twice@example.ge") for _ in range(4)))
    assert {answer.status_code for answer in answers} == {202}
    assert (await newsroom.find("twice@example.ge"))["status"] == "pending"
    await newsroom.run_jobs()
    assert len(outbox(newsroom)) == 1


async def test_an_active_subscriber_joining_another_list_confirms_it_by_mail(newsroom: Newsroom) -> None:
    from newsletters.suppression import recipients

    await newsroom.client.post(
        "/api/v1/subscribers",
        json={"email": "keti@example.ge", "basis": "accreditation", "lists": ["press"]},
        headers=newsroom.admin,
    )
    await newsroom.subscribe("keti@example.ge", lists=["partners"])
    person = await newsroom.find("keti@example.ge")
    assert person["status"] == "active"
    assert {item["list"]: item["status"] for item in person["lists"]} == {
        "partners": "pending",
        "press": "active",
    }
    assert [r.email async for r in recipients(["partners"])] == []
    await newsroom.run_jobs()
    [raw] = outbox(newsroom)
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    plain = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "პარტნიორები" in plain
    link = next(line for line in plain.splitlines() if "/subscriptions/confirm/" in line)
    assert (await newsroom.client.post(link.removeprefix("https://newsroom.test"))).status_code == 200
    assert [r.email async for r in recipients(["partners"])] == ["keti@example.ge"]
