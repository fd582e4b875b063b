"""Places that are never oversold: every change of who holds a place runs under the event's lock.

PostgreSQL: the event's entry row is locked (`SELECT … FOR UPDATE`) for the transaction, so two
confirmations of one event queue there and each sees the other's count. SQLite: write transactions
are IMMEDIATE (core.db.write_transaction), one writer at a time. Either way the count and the
statuses are read and written by one transaction at a time per event.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from content.registration_settings import stored_settings
from content.tables import Entry
from core.db import is_sqlite
from core.errors import NotFound
from registrations.tables import Registration, RegistrationMail


async def lock_event(event_id: UUID) -> dict[str, Any]:
    """The event's registration columns, locked until the caller's transaction ends."""
    query = Entry.select(
        Entry.id, Entry.kind, Entry.registration, Entry.places_taken, Entry.status, Entry.cancelled
    ).where((Entry.id == event_id) & (Entry.kind == "events"))
    if not is_sqlite(Entry):
        query = query.lock_rows()
    row: dict[str, Any] | None = await query.first()
    if row is None:
        raise NotFound("no such event")
    return row


def capacity_of(event: dict[str, Any]) -> int | None:
    """The event's number of places (None: no limit)."""
    settings = stored_settings(event["registration"]) or {}
    capacity = settings.get("capacity")
    return capacity if isinstance(capacity, int) else None


async def next_position(event_id: UUID) -> int:
    """The next number in confirmation order (under the event's lock)."""
    rows = await Registration.raw(
        "SELECT COALESCE(MAX(position), 0) AS last FROM registration WHERE event = {}", event_id
    )
    return int(rows[0]["last"]) + 1


async def set_places(event_id: UUID, taken: int, now: datetime) -> None:
    """Store the count of places held; `places_changed_at` moves the public caches' version."""
    await Entry.update({Entry.places_taken: taken, Entry.places_changed_at: now}).where(Entry.id == event_id)


async def owe_mail(registration_id: UUID, kind: str, now: datetime) -> None:
    """Note a mail the registrant is owed, in the transaction of the change that owes it."""
    await RegistrationMail(registration=registration_id, kind=kind, created_at=now).save()


async def fill_places(event: dict[str, Any], now: datetime) -> list[UUID]:
    """Give free places to the first on the waiting list, in confirmation order; who got one."""
    capacity = capacity_of(event)
    taken = int(event["places_taken"])
    promoted: list[UUID] = []
    while capacity is None or taken < capacity:
        first = (
            await Registration.select(Registration.id)
            .where((Registration.event == event["id"]) & (Registration.status == "waitlisted"))
            .order_by(Registration.position)
            .first()
        )
        if first is None:
            break
        await Registration.update({Registration.status: "registered", Registration.updated_at: now}).where(
            Registration.id == first["id"]
        )
        await owe_mail(first["id"], "promoted", now)
        promoted.append(first["id"])
        taken += 1
    if promoted:
        await set_places(event["id"], taken, now)
        event["places_taken"] = taken
    return promoted
