"""Registering: the public page and the JSON route, double opt-in by real mail, consent, anti-bot rules."""

import re
from dataclasses import replace

import icalendar
import pytest

from registrations.consent import CONSENT_VERSION
from registrations.tables import Registration
from tests.conftest import Database
from tests.newsletters.conftest import Inbox, newsroom_for
from tests.registrations.conftest import JSON, Desk, invitation_of, page_link, sitting, text_of

STAMP = re.compile(r'name="stamp" value="([^"]+)"')


async def test_georgian_page_to_a_place_with_an_invitation_the_feed_agrees_with(desk: Desk) -> None:
    event = await desk.event(capacity=3, waitlist=True)
    slug = next(item["slug"] for item in event["translations"] if item["lang"] == "ka")
    form = await desk.client.get(f"/events/ka/{slug}/register")
    assert form.status_code == 200
    assert form.headers["content-security-policy"].startswith("default-src 'none'")
    assert "დარჩენილი ადგილები: 3" in form.text
    assert "ვეთანხმები" in form.text
    stamp = STAMP.search(form.text)
    assert stamp
    sent = await desk.client.post(
        f"/events/ka/{slug}/register",
        data={
            "name": "ნინო ბერიძე",
            "email": " Nino@Example.GE ",
            "organisation": "სამდივნო",
            "consent": "yes",
            "stamp": stamp.group(1),
        },
    )
    assert sent.status_code == 200, sent.text
    assert "შეამოწმეთ ელფოსტა" in sent.text
    await desk.room.run_jobs()
    [mail] = desk.inbox.to("nino@example.ge")
    assert mail["Subject"] == "დაადასტურეთ რეგისტრაცია — კომისიის სხდომა"
    assert mail["Content-Language"] == "ka"
    assert invitation_of(mail) is None
    link = page_link(mail)

    # A GET (a mail scanner) confirms nothing.
    shown = await desk.client.get(link)
    assert shown.status_code == 200
    assert 'value="confirm"' in shown.text
    assert "n***@example.ge" in shown.text
    assert (await desk.client.get(link, headers=JSON)).json()["status"] == "pending"
    assert (await desk.staff_list(event["id"]))["counts"]["registered"] == 0

    confirmed = await desk.client.post(link, data={"action": "confirm"})
    assert confirmed.status_code == 200
    assert "ადგილი დაჯავშნილია" in confirmed.text
    await desk.room.run_jobs()
    place = desk.inbox.to("nino@example.ge")[-1]
    assert place["Subject"] == "რეგისტრაცია დადასტურებულია — კომისიის სხდომა"
    assert "თბილისი, სანაპიროს ქ. 4" in text_of(place)
    calendar = icalendar.Calendar.from_ical(invitation_of(place))
    assert calendar["METHOD"] == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert vevent["DTSTART"].dt.tzinfo.key == "Asia/Tbilisi"
    assert vevent["DTSTART"].dt.hour == 10
    feed = icalendar.Calendar.from_ical((await desk.client.get("/feeds/ka/events.ics")).content)
    [published] = feed.walk("VEVENT")
    assert str(vevent["UID"]) == str(published["UID"])
    assert int(vevent["SEQUENCE"]) == int(published["SEQUENCE"])
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Asia/Tbilisi"]

    # Confirming again changes nothing and mails nothing.
    again = await desk.confirm(link)
    assert again.json()["status"] == "registered"
    await desk.room.run_jobs()
    assert len(desk.inbox.to("nino@example.ge")) == 2
    listing = await desk.staff_list(event["id"])
    assert listing["counts"]["registered"] == 1
    assert listing["places_taken"] == 1


async def test_english_api_same_answer_known_or_not_and_consent_recorded(desk: Desk) -> None:
    event = await desk.event(capacity=10)
    first = await desk.register(event["id"], "anna@example.org", name="Anna", lang="en", organisation="IOM")
    again = await desk.register(event["id"], "ANNA@example.org", name="Someone else", lang="ka")
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    await desk.room.run_jobs()
    [mail] = desk.inbox.to("anna@example.org")  # at most one confirmation mail in ten minutes
    assert mail["Subject"] == "Confirm your registration — Commission sitting"
    assert "Anna" in text_of(mail)
    [row] = await Registration.select().where(Registration.event == event["id"])
    assert row["name"] == "Anna"  # a stranger cannot change a registration
    assert row["lang"] == "en"
    assert row["consent_version"] == CONSENT_VERSION
    assert row["consent_text"].startswith("I agree that the Secretariat")
    assert "90 days" in row["consent_text"]
    assert row["ip"] == "203.0.113.7"
    state = (await desk.confirm(page_link(mail))).json()
    assert state["status"] == "registered"
    assert state["lang"] == "en"
    assert "email" not in state
    assert state["address"] == "a***@example.org"


async def test_registration_refused_when_closed_unpublished_or_unknown(desk: Desk) -> None:
    closed = await desk.event(capacity=10, closes_at="2020-01-01T00:00:00Z")
    assert (await desk.register(closed["id"], "a@example.ge")).status_code == 409
    shut = await desk.event(open=False)
    response = await desk.register(shut["id"], "a@example.ge")
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    draft = await desk.client.post("/api/v1/events", json=sitting(), headers=desk.editor)
    assert (await desk.register(draft.json()["id"], "a@example.ge")).status_code == 404
    assert (await desk.register("no-such-event", "a@example.ge")).status_code == 404
    page = await desk.client.get(f"/events/en/{shut['id']}/register")
    assert page.status_code == 409
    assert "does not take registrations" in page.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-address"),
        ("email", "a" * 400 + "@example.ge"),
        ("email", "x@example.ge\r\nBcc: victim@example.ge"),
        ("email", 12),
        ("name", ""),
        ("name", "n" * 201),
        ("name", None),
        ("organisation", "o" * 301),
        ("lang", "de"),
        ("role", "admin"),
        ("outlet", "o" * 301),
        ("consent", False),
        ("consent", "yes"),
        ("status", "registered"),
    ],
)
async def test_hostile_input_on_every_field(desk: Desk, field: str, value: object) -> None:
    event = await desk.event(capacity=10, press=True)
    body = {"email": "a@example.ge", "name": "A", "consent": True, field: value}
    response = await desk.client.post(f"/api/v1/events/{event['id']}/registrations", json=body)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text
    assert await Registration.count() == 0


async def test_press_needs_an_outlet_and_an_event_that_accredits(desk: Desk) -> None:
    no_press = await desk.event(capacity=10)
    refused = await desk.register(no_press["id"], "j@example.ge", role="press", outlet="Rustavi 2")
    assert refused.status_code == 422
    press = await desk.event(capacity=10, press=True)
    assert (await desk.register(press["id"], "j@example.ge", role="press")).status_code == 422
    assert (
        await desk.register(press["id"], "j@example.ge", role="press", outlet="Rustavi 2")
    ).status_code == 202


async def test_page_refuses_bots_and_shows_errors_by_field(desk: Desk) -> None:
    event = await desk.event(capacity=10, press=True)
    path = f"/events/en/{event['id']}/register"
    stamp = STAMP.search((await desk.client.get(path)).text)
    assert stamp
    trapped = await desk.client.post(
        path,
        data={
            "name": "Bot",
            "email": "bot@example.ge",
            "consent": "yes",
            "stamp": stamp.group(1),
            "website": "x",
        },
    )
    assert trapped.status_code == 200  # the same page as a person gets, and nothing done
    unstamped = await desk.client.post(
        path, data={"name": "Bot", "email": "bot@example.ge", "consent": "yes"}
    )
    assert unstamped.status_code == 422
    wrong = await desk.client.post(
        path, data={"name": "", "email": "nope", "role": "press", "outlet": "", "stamp": stamp.group(1)}
    )
    assert wrong.status_code == 422
    for anchor in ('href="#name"', 'href="#email"', 'href="#outlet"', 'href="#consent"'):
        assert anchor in wrong.text
    assert 'value="nope"' in wrong.text
    assert await Registration.count() == 0


async def test_registrations_are_rate_limited(settings, db: Database, smtp: tuple[Inbox, str]) -> None:  # type: ignore[no-untyped-def]
    from accounts.staff import add_staff
    from tests.registrations.conftest import Desk as DeskType

    async with newsroom_for(replace(settings, smtp_url=smtp[1], subscribe_limit_per_ip=2), db) as room:
        token = (await add_staff("editor@scmi.test", "editor", name="Editor")).token
        desk = DeskType(room=room, editor={"Authorization": f"Bearer {token}"}, inbox=smtp[0])
        event = await desk.event(capacity=10)
        answers = [(await desk.register(event["id"], f"p{n}@example.ge")).status_code for n in range(3)]
        assert answers == [202, 202, 429]
