"""Reminders and change mails: invitations `icalendar` reads, the feed's UID, SEQUENCE rising, zone right."""

from datetime import UTC, datetime

import icalendar

from registrations.reminders import owe_change_mails, owe_reminders
from tasks.enqueue import enqueue_registration_mails
from tests.registrations.conftest import Desk, invitation_of, text_of


async def _send(desk: Desk) -> None:
    await enqueue_registration_mails(desk.room.app.state.queue)
    await desk.room.run_jobs()


def _event_of(message: object) -> icalendar.cal.Component:
    calendar = icalendar.Calendar.from_ical(invitation_of(message))  # type: ignore[arg-type]
    [event] = calendar.walk("VEVENT")
    event.method = calendar["METHOD"]
    return event


async def test_reminder_once_before_the_event_to_those_holding_places(desk: Desk) -> None:
    event = await desk.event(capacity=1, waitlist=True)
    holder = await desk.registered(event["id"], "holder@example.ge", lang="en")
    waiting = await desk.registered(event["id"], "waiting@example.ge", lang="en")
    await desk.confirm(holder)
    await desk.confirm(waiting)
    two_days_before = datetime(2030, 12, 16, 6, 0, tzinfo=UTC)
    assert await owe_reminders(two_days_before, 24) == 0
    day_before = datetime(2030, 12, 17, 8, 0, tzinfo=UTC)  # the sitting starts 2030-12-18 06:00 UTC
    assert await owe_reminders(day_before, 24) == 1
    assert await owe_reminders(day_before, 24) == 0  # once
    await _send(desk)
    reminder = desk.inbox.to("holder@example.ge")[-1]
    assert reminder["Subject"] == "Reminder — Commission sitting"
    assert "2030-12-18 10:00–13:00 (Asia/Tbilisi)" in text_of(reminder)
    vevent = _event_of(reminder)
    assert vevent.method == "REQUEST"
    assert vevent["DTSTART"].dt == datetime(2030, 12, 18, 6, 0, tzinfo=UTC)
    assert not any("Reminder" in str(m["Subject"]) for m in desk.inbox.to("waiting@example.ge"))


async def test_a_new_time_is_mailed_with_a_higher_sequence_and_a_cancellation_cancels(desk: Desk) -> None:
    event = await desk.event(capacity=5)
    link = await desk.registered(event["id"], "nino@example.ge", lang="ka")
    await desk.confirm(link)
    await desk.room.run_jobs()
    first = _event_of(desk.inbox.to("nino@example.ge")[-1])
    assert await owe_change_mails(datetime.now(UTC)) == []  # nothing changed yet

    # A typo fixed in the body is no change of time or place: nobody is mailed.
    typo = await desk.client.patch(
        f"/api/v1/events/{event['id']}",
        json={"translations": {"en": {"body": "Fixed."}}},
        headers=desk.editor,
    )
    assert typo.status_code == 200
    assert await owe_change_mails(datetime.now(UTC)) == []

    moved = await desk.client.patch(
        f"/api/v1/events/{event['id']}",
        json={"starts_at": "2030-12-19T11:00:00+04:00", "ends_at": "2030-12-19T14:00:00+04:00"},
        headers=desk.editor,
    )
    assert moved.status_code == 200, moved.text
    assert [str(changed) for changed in await owe_change_mails(datetime.now(UTC))] == [event["id"]]
    await _send(desk)
    change = desk.inbox.to("nino@example.ge")[-1]
    assert change["Subject"] == "ღონისძიება შეიცვალა — კომისიის სხდომა"
    updated = _event_of(change)
    assert updated.method == "REQUEST"
    assert str(updated["UID"]) == str(first["UID"])
    assert int(updated["SEQUENCE"]) > int(first["SEQUENCE"])
    assert updated["DTSTART"].dt.hour == 11
    assert updated["DTSTART"].dt.tzinfo.key == "Asia/Tbilisi"
    feed = icalendar.Calendar.from_ical((await desk.client.get("/feeds/ka/events.ics")).content)
    [published] = feed.walk("VEVENT")
    assert str(published["UID"]) == str(updated["UID"])
    assert int(published["SEQUENCE"]) == int(updated["SEQUENCE"])

    cancelled = await desk.client.patch(
        f"/api/v1/events/{event['id']}", json={"cancelled": True}, headers=desk.editor
    )
    assert cancelled.status_code == 200
    await owe_change_mails(datetime.now(UTC))
    await _send(desk)
    off = desk.inbox.to("nino@example.ge")[-1]
    assert off["Subject"] == "ღონისძიება გაუქმებულია — კომისიის სხდომა"
    gone = _event_of(off)
    assert gone.method == "CANCEL"
    assert str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) > int(updated["SEQUENCE"])
