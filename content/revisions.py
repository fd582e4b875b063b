"""Revisions: every save of an entry, who made it and which fields it changed."""

from typing import Any
from uuid import UUID

from content.schemas import Actor, EntryOut, RevisionOut, to_builtins
from content.shaping import build_entries
from content.tables import Entry, Revision
from content.webhooks.events import note_entry_change
from core.db import as_utc, utcnow
from core.errors import NotFound


async def load_entry(kind: str, entry_id: UUID) -> dict[str, Any]:
    """An entry row of the given kind, or NotFound."""
    row = (
        await Entry.select(*Entry.all_columns()).where((Entry.id == entry_id) & (Entry.kind == kind)).first()
    )
    if row is None:
        raise NotFound(f"no {kind} entry {entry_id}")
    return row


async def record_revision(
    entry: dict[str, Any], actor: Actor | None, action: str, changed: list[str], values: dict[str, Any]
) -> EntryOut:
    """Apply `values` to the entry row, count a revision and store it with a snapshot.

    Call inside the write transaction that made the change. Returns the entry as staff see it.
    """
    number = entry["revision"] + 1
    values = {**values, "revision": number, "updated_at": utcnow()}
    await Entry.update({getattr(Entry, name): value for name, value in values.items()}).where(
        Entry.id == entry["id"]
    )
    before, entry = entry, {**entry, **values}
    view = (await build_entries([entry], None, staff=True))[0]
    await Revision(
        entry=entry["id"],
        number=number,
        staff_id=actor.id if actor else None,
        staff_name=actor.name if actor else "system",
        action=action,
        changed=sorted(changed),
        snapshot=to_builtins(view),
    ).save()
    # In this transaction: the change and what it owes the website commit together or not at all.
    await note_entry_change(before, entry, changed)
    return view


async def list_revisions(kind: str, entry_id: UUID) -> list[RevisionOut]:
    """The revisions of an entry, newest first."""
    await load_entry(kind, entry_id)
    rows = (
        await Revision.select(
            Revision.number,
            Revision.action,
            Revision.changed,
            Revision.staff_id,
            Revision.staff_name,
            Revision.created_at,
        )
        .where(Revision.entry == entry_id)
        .order_by(Revision.number, ascending=False)
        .output(load_json=True)
    )
    return [
        RevisionOut(
            number=row["number"],
            action=row["action"],
            changed=row["changed"],
            staff_id=row["staff_id"],
            staff_name=row["staff_name"],
            created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        )
        for row in rows
    ]
