"""Places never oversold: concurrent confirmations, the waiting list, cancellation and promotion."""

import asyncio
from typing import Any

import icalendar

from content.tables import Entry
from newsletters.consent import Origin
from registrations import signup
from registrations.schemas import RegisterIn
from registrations.tables import Registration, RegistrationMail
from tests.registrations.conftest import JSON, Desk, invitation_of, page_link, text_of


async def _pending(event_id: str, count: int, secret_key: str) -> list[str]:
    for number in range(count):
        await signup.register(
            event_id,
            RegisterIn(email=f"person{number}@example.ge", name=f"Person {number}", consent=True),
            secret_key=secret_key,
            origin=Origin(source="test"),
            retention_days=90,
        )
    rows = await Registration.select(Registration.token).where(Registration.event == event_id)
    return [row["token"] for row in rows]


async def test_200_concurrent_confirmations_for_50_places(desk: Desk) -> None:
    event = await desk.event(capacity=50, waitlist=True)
    tokens = await _pending(event["id"], 200, desk.room.settings.secret_key)
    assert len(tokens) == 200
    states = await asyncio.gather(*(signup.confirm(token) for token in tokens))
    statuses = [state.status for state in states]
    assert statuses.count("registered") == 50
    assert statuses.count("waitlisted") == 150

    rows = (
        await Registration.select().where(Registration.event == event["id"]).order_by(Registration.position)
    )
    assert [row["position"] for row in rows] == list(range(1, 201))  # no duplicates, no gaps
    assert [row["status"] for row in rows] == ["registered"] * 50 + ["waitlisted"] * 150
    assert len({row["address_key"] for row in rows}) == 200
    [entry] = await Entry.select(Entry.places_taken).where(Entry.id == event["id"])
    assert entry["places_taken"] == 50
    kinds = [row["kind"] for row in await RegistrationMail.select(RegistrationMail.kind)]
    assert kinds.count("registered") == 50
    assert kinds.count("waitlisted") == 150

    # Confirming everyone again, at once, changes nothing.
    await asyncio.gather(*(signup.confirm(token) for token in tokens))
    listing = await desk.staff_list(event["id"])
    assert listing["counts"]["registered"] == 50
    assert listing["counts"]["waitlisted"] == 150
    assert listing["places_taken"] == 50
    public = (await desk.client.get(f"/api/v1/events/{event['id']}")).json()
    assert public["registration"]["places_left"] == 0


async def test_full_without_waiting_list_is_a_clear_refusal(desk: Desk) -> None:
    event = await desk.event(capacity=1)
    first = await desk.registered(event["id"], "first@example.ge")
    second = await desk.registered(event["id"], "second@example.ge")
    assert (await desk.confirm(first)).json()["status"] == "registered"
    full = await desk.confirm(second)
    assert full.status_code == 409
    assert full.headers["content-type"].startswith("application/problem+json")
    page = await desk.client.post(second, data={"action": "confirm"})
    assert page.status_code == 409
    assert "The event is full" in page.text or "ადგილები შევსებულია" in page.text
    assert (await desk.client.get(second, headers=JSON)).json()["status"] == "pending"


async def _mails_of(desk: Desk, address: str) -> list[Any]:
    await desk.room.run_jobs()
    return desk.inbox.to(address)


async def test_cancel_from_own_page_gives_the_place_to_the_first_waiting(desk: Desk) -> None:
    event = await desk.event(capacity=3, waitlist=True)
    links = {}
    for name in ("ana", "beka", "gio", "dato"):
        links[name] = await desk.registered(event["id"], f"{name}@example.ge", lang="en")
        await desk.confirm(links[name])
    states = {name: (await desk.client.get(link, headers=JSON)).json() for name, link in links.items()}
    assert [states[name]["status"] for name in ("ana", "beka", "gio")] == ["registered"] * 3
    assert states["dato"]["status"] == "waitlisted"
    assert states["dato"]["waiting_position"] == 1
    [waitlisted] = [m for m in await _mails_of(desk, "dato@example.ge") if "waiting list" in m["Subject"]]
    assert invitation_of(waitlisted) is None

    # A GET of the page (a mail scanner) never cancels; the page's button (POST) does.
    page = await desk.client.get(links["beka"])
    assert 'value="cancel"' in page.text
    assert (await desk.client.get(links["beka"], headers=JSON)).json()["status"] == "registered"
    cancelled = await desk.client.post(links["beka"], data={"action": "cancel"})
    assert cancelled.status_code == 200
    assert "cancelled" in cancelled.text

    assert (await desk.client.get(links["dato"], headers=JSON)).json()["status"] == "registered"
    promoted = (await _mails_of(desk, "dato@example.ge"))[-1]
    assert promoted["Subject"] == "A place has come free — Commission sitting"
    calendar = icalendar.Calendar.from_ical(invitation_of(promoted))
    assert calendar["METHOD"] == "REQUEST"
    beka = (await _mails_of(desk, "beka@example.ge"))[-1]
    assert beka["Subject"] == "Registration cancelled — Commission sitting"
    assert icalendar.Calendar.from_ical(invitation_of(beka))["METHOD"] == "CANCEL"
    listing = await desk.staff_list(event["id"])
    assert listing["counts"]["registered"] == 3
    assert listing["counts"]["cancelled"] == 1
    assert listing["places_taken"] == 3

    # Cancelling twice changes nothing; a bad action is a clear 422.
    assert (await desk.client.post(links["beka"], json={"action": "cancel"}, headers=JSON)).json()[
        "status"
    ] == ("cancelled")
    bad = await desk.client.post(links["beka"], json={"action": "delete"}, headers=JSON)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert (
        await desk.client.get("/registrations/not-a-real-token-at-all-xx", headers=JSON)
    ).status_code == 404


async def test_staff_cancel_promotes_and_mails(desk: Desk) -> None:
    event = await desk.event(capacity=1, waitlist=True)
    first = await desk.registered(event["id"], "first@example.ge")
    second = await desk.registered(event["id"], "second@example.ge")
    await desk.confirm(first)
    await desk.confirm(second)
    listing = await desk.staff_list(event["id"])
    holder = next(item for item in listing["items"] if item["status"] == "registered")
    response = await desk.client.post(
        f"/api/v1/events/{event['id']}/registrations/{holder['id']}/cancel", headers=desk.editor
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert (await desk.client.get(second, headers=JSON)).json()["status"] == "registered"
    mails = await _mails_of(desk, "second@example.ge")
    promoted = mails[-1]
    assert "ადგილი გათავისუფლდა" in promoted["Subject"]
    # "You wait", owed before the place came free and not sent by then, is never sent after it.
    assert not any("მოლოდინის სიაში" in str(mail["Subject"]) for mail in mails)
    assert "სანაპიროს" in text_of(promoted)
    assert page_link(promoted) == second
