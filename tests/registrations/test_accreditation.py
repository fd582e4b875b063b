"""Press accreditation: an editor decides, the journalist is mailed in their language, the accredited join `press`."""

import icalendar

from newsletters.suppression import recipients
from registrations.tables import Registration
from tests.registrations.conftest import JSON, Desk, invitation_of, text_of


async def _journalist(desk: Desk, event_id: str, address: str, lang: str) -> tuple[str, str]:
    link = await desk.registered(
        event_id, address, role="press", outlet="Rustavi 2", lang=lang, name="Journalist"
    )
    state = (await desk.confirm(link)).json()
    assert state["status"] == "accreditation_pending"
    [row] = await Registration.select(Registration.id).where(Registration.email == address)
    return link, str(row["id"])


async def test_accepted_journalist_is_mailed_in_georgian_and_joins_the_press_list(desk: Desk) -> None:
    event = await desk.event(capacity=1, press=True)
    link, registration_id = await _journalist(desk, event["id"], "tamar@rustavi2.ge", "ka")
    await desk.room.run_jobs()
    assert desk.inbox.to("tamar@rustavi2.ge")[-1]["Subject"].startswith(
        "პრესის აკრედიტაციის მოთხოვნა მიღებულია"
    )
    # Press accreditation holds no participant's place.
    assert (await desk.staff_list(event["id"]))["places_taken"] == 0

    decided = await desk.client.post(
        f"/api/v1/events/{event['id']}/registrations/{registration_id}/accredit",
        json={"decision": "accepted", "note": "მოდით 09:30-ზე"},
        headers=desk.editor,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "accredited"
    await desk.room.run_jobs()
    mail = desk.inbox.to("tamar@rustavi2.ge")[-1]
    assert mail["Subject"] == "აკრედიტებული ხართ — კომისიის სხდომა"
    assert "მოდით 09:30-ზე" in text_of(mail)
    assert icalendar.Calendar.from_ical(invitation_of(mail))["METHOD"] == "REQUEST"
    assert (await desk.client.get(link, headers=JSON)).json()["status"] == "accredited"
    assert [person.email async for person in recipients(["press"])] == ["tamar@rustavi2.ge"]

    again = await desk.client.post(
        f"/api/v1/events/{event['id']}/registrations/{registration_id}/accredit",
        json={"decision": "refused"},
        headers=desk.editor,
    )
    assert again.status_code == 409


async def test_refused_journalist_is_mailed_in_english_and_joins_nothing(desk: Desk) -> None:
    event = await desk.event(capacity=5, press=True)
    _, registration_id = await _journalist(desk, event["id"], "john@bbc.example", "en")
    refused = await desk.client.post(
        f"/api/v1/events/{event['id']}/registrations/{registration_id}/accredit",
        json={"decision": "refused", "note": "Places for the press are taken."},
        headers=desk.editor,
    )
    assert refused.json()["status"] == "refused"
    await desk.room.run_jobs()
    mail = desk.inbox.to("john@bbc.example")[-1]
    assert mail["Subject"] == "Press accreditation not granted — Commission sitting"
    assert "Places for the press are taken." in text_of(mail)
    assert invitation_of(mail) is None
    assert [person.email async for person in recipients(["press"])] == []


async def test_hostile_decisions_are_refused(desk: Desk) -> None:
    event = await desk.event(capacity=5, press=True)
    _, registration_id = await _journalist(desk, event["id"], "j@example.ge", "en")
    path = f"/api/v1/events/{event['id']}/registrations/{registration_id}/accredit"
    for body in ({"decision": "maybe"}, {"decision": "accepted", "note": "x" * 2001}, {}, {"decision": None}):
        response = await desk.client.post(path, json=body, headers=desk.editor)
        assert response.status_code in (400, 422), (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    other = await desk.event(capacity=5, press=True)
    wrong_event = await desk.client.post(
        f"/api/v1/events/{other['id']}/registrations/{registration_id}/accredit",
        json={"decision": "accepted"},
        headers=desk.editor,
    )
    assert wrong_event.status_code == 404
    participant = await desk.registered(event["id"], "p@example.ge")
    await desk.confirm(participant)
    [row] = await Registration.select(Registration.id).where(Registration.email == "p@example.ge")
    not_press = await desk.client.post(
        f"/api/v1/events/{event['id']}/registrations/{row['id']}/accredit",
        json={"decision": "accepted"},
        headers=desk.editor,
    )
    assert not_press.status_code == 409
