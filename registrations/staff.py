"""What staff do with an event's registrations: the list with counts, search, CSV export, check-in, cancel."""

import csv
import io
from collections.abc import AsyncIterator
from typing import Any, Final
from uuid import UUID

from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw

from content.queries import find_entry_row
from content.tables import Entry
from core.csv_cells import safe_row
from core.db import as_utc, is_sqlite, utcnow, write_transaction
from core.errors import Conflict, NotFound
from registrations.places import capacity_of, lock_event
from registrations.schemas import ATTENDING, STATUSES, RegistrationList, RegistrationOut
from registrations.signup import cancel
from registrations.tables import Registration

SEARCHED: Final = ("email", "name", "organisation", "outlet")
EXPORT_COLUMNS: Final = (
    "id", "status", "role", "lang", "name", "email", "organisation", "outlet", "created_at", "confirmed_at",
    "decided_at", "decision_note", "checked_in_at",
)  # fmt: skip


def registration_out(row: dict[str, Any]) -> RegistrationOut:
    """A registration row as staff see it."""
    return RegistrationOut(
        id=row["id"],
        status="pending" if row["status"] == "confirming" else row["status"],
        role=row["role"],
        lang=row["lang"],
        email=row["email"],
        name=row["name"],
        organisation=row["organisation"],
        outlet=row["outlet"],
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        confirmed_at=as_utc(row["confirmed_at"]),
        decided_at=as_utc(row["decided_at"]),
        decision_note=row["decision_note"],
        checked_in_at=as_utc(row["checked_in_at"]),
        erased=row["erased_at"] is not None,
    )


async def _event(event_id: UUID) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await Entry.select(Entry.id, Entry.registration, Entry.places_taken)
        .where((Entry.id == event_id) & (Entry.kind == "events"))
        .first()
    )
    if row is None:
        raise NotFound("no such event")
    return row


def _query(event_id: UUID, status: str | None, q: str | None) -> Any:
    query = Registration.select().where(Registration.event == event_id)
    if status:
        query = query.where(Registration.status == status)
    if q and q.strip():
        # `%`, `_` and `\` in what was typed are meant literally, not as LIKE's wildcards.
        typed = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # SQLite's LIKE already ignores (ASCII) case; PostgreSQL needs ILIKE.
        like = "LIKE" if is_sqlite(Registration) else "ILIKE"
        pattern = f"%{typed}%"
        query = query.where(
            WhereRaw(
                "(" + " OR ".join(f"{name} {like} {{}} ESCAPE '\\'" for name in SEARCHED) + ")",
                *([pattern] * len(SEARCHED)),
            )
        )
    # Confirmation order; those not confirmed yet (no position) last, on either engine.
    return query.order_by(OrderByRaw("position IS NULL"), Registration.position, Registration.created_at)


async def list_registrations(
    event_id: UUID, *, status: str | None = None, q: str | None = None
) -> RegistrationList:
    """Who registered (in confirmation order; pending ones last), and the counts by status."""
    event = await _event(event_id)
    rows = await _query(event_id, status, q)
    counts = dict.fromkeys(STATUSES, 0)
    for row in await Registration.select(Registration.status).where(Registration.event == event_id):
        status = "pending" if row["status"] == "confirming" else row["status"]
        counts[status] = counts.get(status, 0) + 1
    return RegistrationList(
        items=[registration_out(row) for row in rows],
        counts=counts,
        capacity=capacity_of(event),
        places_taken=int(event["places_taken"]),
    )


async def export_rows(event_id: UUID) -> AsyncIterator[str]:
    """The registrations as CSV lines, every cell safe to open in a spreadsheet."""
    await _event(event_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[object]) -> str:
        writer.writerow(safe_row(values))
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(list(EXPORT_COLUMNS))
    for row in await _query(event_id, None, None):
        out = registration_out(row)
        yield line([getattr(out, name) if getattr(out, name) is not None else "" for name in EXPORT_COLUMNS])


async def check_in(event_id: UUID, registration_id: UUID) -> RegistrationOut:
    """Note a registrant's arrival (once); only those holding a place or accredited may check in."""
    async with write_transaction(Registration):
        await lock_event(event_id)
        row = (
            await Registration.select()
            .where((Registration.id == registration_id) & (Registration.event == event_id))
            .first()
        )
        if row is None:
            raise NotFound("no such registration")
        if row["status"] not in ATTENDING:
            raise Conflict(f"this registration is {row['status']}: it holds no place", field="registration")
        if row["checked_in_at"] is None:
            now = utcnow()
            await Registration.update({Registration.checked_in_at: now, Registration.updated_at: now}).where(
                Registration.id == registration_id
            )
            row = {**row, "checked_in_at": now}
    return registration_out(row)


async def event_id_of(ref: str) -> UUID:
    """The event a staff reference (id, or a current or former slug) names, published or not."""
    row, _ = await find_entry_row("events", ref, public=False)
    return UUID(str(row["id"]))


async def cancel_by_staff(event_id: UUID, registration_id: UUID) -> RegistrationOut:
    """Staff cancel a registration; a freed place goes to the first on the waiting list."""
    await cancel(registration_id, event_id=event_id)
    row = await Registration.select().where(Registration.id == registration_id).first()
    assert row is not None
    return registration_out(row)


async def decided(row: dict[str, Any]) -> RegistrationOut:
    """A registration row (after a decision) as staff see it."""
    return registration_out(row)
