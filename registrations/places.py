"""Places that are never oversold: every change of who holds a place runs under the event's lock.

PostgreSQL: a transaction-level advisory lock named after the event (`pg_advisory_xact_lock`) is
held until commit, so two writers of one event's places queue there and each sees the other's count.
An advisory lock rather than `SELECT … FOR UPDATE` on the entry row: a waiter that finds nothing
left to do then commits without writing (no WAL flush while the others wait). SQLite: write
transactions are IMMEDIATE (core.db.write_transaction), one writer at a time. Either way the count
and the statuses are read and written by one transaction at a time per event.

Confirmations are combined: each marks its own registration `confirming` (its own row, in
parallel), then whoever holds the event's lock gives places to every `confirming` registration in
confirmation order, in one batch. So the lock is held for a few statements and one commit per batch,
not per person.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from content.registration_settings import stored_settings
from content.tables import Entry
from core.db import is_sqlite, write_transaction
from core.errors import NotFound
from registrations.tables import Registration, RegistrationMail


async def lock_event(event_id: UUID) -> dict[str, Any]:
    """The event's registration columns, its places locked until the caller's transaction ends."""
    if not is_sqlite(Entry):
        await Entry.raw("SELECT pg_advisory_xact_lock(hashtextextended(CAST({} AS TEXT), 0))", str(event_id))
    query = Entry.select(
        Entry.id, Entry.kind, Entry.registration, Entry.places_taken, Entry.status, Entry.cancelled
    ).where((Entry.id == event_id) & (Entry.kind == "events"))
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


def _decide(settings: dict[str, Any], role: str, capacity: int | None, taken: int) -> str:
    """Where one confirmation goes, given the places taken before it."""
    if role == "press" and settings.get("press"):
        return "accreditation_pending"
    if capacity is None or taken < capacity:
        return "registered"
    if settings.get("waitlist"):
        return "waitlisted"
    return "pending"  # full, and no waiting list: it stays unconfirmed (the registrant is told)


async def allocate(event_id: UUID, now: datetime, *, waiting: UUID | None = None) -> int:
    """Give every `confirming` registration of the event its place, waiting-list spot or review.

    In confirmation order (`confirmed_at`, then id), under the event's lock, in one batch: a few
    statements whatever the batch's size. With `waiting`, nothing is done if that registration was
    settled meanwhile by another's batch (most are, in a rush: they never queue for the lock).
    Returns how many were settled.
    """
    if waiting is not None and not await _still_confirming(waiting):
        return 0
    async with write_transaction(Registration):
        event = await lock_event(event_id)
        queued = (
            await Registration.select(Registration.id, Registration.role)
            .where((Registration.event == event_id) & (Registration.status == "confirming"))
            .order_by(Registration.confirmed_at, Registration.id)
        )
        if not queued:
            return 0
        settings = stored_settings(event["registration"]) or {}
        capacity = capacity_of(event)
        taken = int(event["places_taken"])
        position = await next_position(event_id)
        decided: list[tuple[UUID, str, int | None]] = []
        for row in queued:
            status = _decide(settings, row["role"], capacity, taken)
            if status == "registered":
                taken += 1
            decided.append((row["id"], status, position if status != "pending" else None))
            if status != "pending":
                position += 1
        await _apply(decided, now)
        owed = [
            RegistrationMail(registration=item_id, kind=status, created_at=now)
            for item_id, status, _ in decided
            if status != "pending"
        ]
        if owed:
            await RegistrationMail.insert(*owed)
        if taken != int(event["places_taken"]):
            await set_places(event_id, taken, now)
        return len(decided)


async def _apply(decided: list[tuple[UUID, str, int | None]], now: datetime) -> None:
    """Every decision of a batch in one UPDATE (a CASE per column)."""
    status_cases = " ".join("WHEN {} THEN CAST({} AS VARCHAR)" for _ in decided)
    position_cases = " ".join("WHEN {} THEN CAST({} AS BIGINT)" for _ in decided)
    values: list[Any] = []
    for item_id, status, _ in decided:
        values += [item_id, status]
    for item_id, _, position in decided:
        values += [item_id, position]
    marks = ", ".join("{}" for _ in decided)
    await Registration.raw(
        f"UPDATE registration SET status = CASE id {status_cases} END,"  # noqa: S608 (placeholders only)
        f" position = CASE id {position_cases} END, updated_at = {{}}"
        f" WHERE id IN ({marks})",
        *values,
        now,
        *[item_id for item_id, _, _ in decided],
    )


async def _still_confirming(registration_id: UUID) -> bool:
    row = await Registration.select(Registration.status).where(Registration.id == registration_id).first()
    return row is not None and row["status"] == "confirming"


async def mark_confirming(registration_id: UUID, now: datetime) -> None:
    """Step one of a confirmation: this registration joins the queue (its own row only)."""
    update = Registration.update(
        {Registration.status: "confirming", Registration.confirmed_at: now, Registration.updated_at: now}
    ).where((Registration.id == registration_id) & (Registration.status == "pending"))
    if is_sqlite(Registration):
        async with write_transaction(Registration):  # IMMEDIATE: queues behind the other writers
            await update
    else:
        await update  # one statement, atomic on its own: no transaction's extra round trips
