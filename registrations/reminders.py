"""Reminders before an event, and the mails owed when an event's time, place or cancellation changes."""

from datetime import datetime, timedelta
from uuid import UUID

from content.tables import Entry
from core.db import write_transaction
from registrations.places import allocate, fill_places, lock_event, owe_mail
from registrations.schemas import ACTIVE, ATTENDING
from registrations.signup import event_fingerprint
from registrations.tables import Registration, WatchedEvent


async def owe_reminders(now: datetime, hours: int) -> int:
    """Owe a reminder to everyone holding a place at an event starting within `hours`; once each."""
    soon = Entry.select(Entry.id).where(
        (Entry.kind == "events")
        & (Entry.cancelled.eq(False))
        & (Entry.starts_at > now)
        & (Entry.starts_at <= now + timedelta(hours=hours))
    )
    async with write_transaction(Registration):
        due = await Registration.select(Registration.id).where(
            Registration.event.is_in(soon)
            & Registration.status.is_in(sorted(ATTENDING))
            & Registration.reminded_at.is_null()
            & Registration.erased_at.is_null()
        )
        for row in due:
            await owe_mail(row["id"], "reminder", now)
        if due:
            await Registration.update({Registration.reminded_at: now}).where(
                Registration.id.is_in([row["id"] for row in due])
            )
    return len(due)


async def settle_confirmations(now: datetime) -> int:
    """Give out the places of confirmations left `confirming` (their process died before it could)."""
    rows = await Registration.select(Registration.event).where(Registration.status == "confirming").distinct()
    return sum([await allocate(row["event"], now) for row in rows])


async def owe_change_mails(now: datetime) -> list[UUID]:
    """For each watched event whose time, place or cancellation changed: a mail to each registrant.

    Also gives places that came free (a raised capacity) to the waiting list. Returns the events
    whose registrants were told of a change.
    """
    changed: list[UUID] = []
    for watched in await WatchedEvent.select():
        event_id = watched["event"]
        fingerprint = await event_fingerprint(event_id)
        async with write_transaction(Registration):
            event = await lock_event(event_id)
            await fill_places(event, now)
            if fingerprint == watched["fingerprint"]:
                continue
            kind = "event_cancelled" if event["cancelled"] else "changed"
            told = await Registration.select(Registration.id).where(
                (Registration.event == event_id)
                & Registration.status.is_in(sorted(ACTIVE))
                & Registration.erased_at.is_null()
            )
            for row in told:
                await owe_mail(row["id"], kind, now)
            await WatchedEvent.update(
                {WatchedEvent.fingerprint: fingerprint, WatchedEvent.checked_at: now}
            ).where(WatchedEvent.id == watched["id"])
            changed.append(event_id)
    return changed
