"""Revisions: every save of an entry, who made it and which fields it changed."""

from typing import Any
from uuid import UUID

from content.schemas import Actor, EntryOut, FieldChange, RevisionDetail, RevisionOut, to_builtins
from content.shaping import load_related, shape_entries
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
    related = await load_related([entry])  # read once: for the snapshot and for the webhooks' payload
    view = shape_entries([entry], None, related, staff=True)[0]
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
    await note_entry_change(before, entry, changed, related)
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


# The snapshot keys a person edits, in the order a diff shows them; `sources` is split per language.
_DIFFED_FIELDS = (
    "status", "topics", "cover_id", "attachment_ids", "starts_at", "ends_at", "timezone", "online_url",
    "registration_url", "cancelled", "registration", "deadline", "external_url", "material_type",
    "publish_at",
    "embargo_until", "unpublish_at",
)  # fmt: skip
_DIFFED_TEXT = ("title", "summary", "body", "location")


def _flatten(snapshot: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name in _DIFFED_FIELDS:
        value = snapshot.get(name)
        if name == "topics":
            value = sorted(topic["slug"] for topic in value or [])
        flat[name] = value
    for lang, text in sorted((snapshot.get("sources") or {}).items()):
        for name in _DIFFED_TEXT:
            flat[f"translations.{lang}.{name}"] = text.get(name)
    return flat


async def changes_since(kind: str, entry_id: UUID, number: int) -> list[FieldChange]:
    """What changed between revision `number` and the latest one: each field, its value then and now."""
    await load_entry(kind, entry_id)
    rows = (
        await Revision.select(Revision.number, Revision.snapshot, Revision.staff_name)
        .where((Revision.entry == entry_id) & (Revision.number >= number))
        .order_by(Revision.number)
        .output(load_json=True)
    )
    if len(rows) < 2 or rows[0]["number"] != number:
        return []
    old, new = _flatten(rows[0]["snapshot"]), _flatten(rows[-1]["snapshot"])
    names = list(dict.fromkeys([*old, *new]))
    return [
        FieldChange(field=name, old=_as_text(old.get(name)), new=_as_text(new.get(name)))
        for name in names
        if old.get(name) != new.get(name)
    ]


async def revision_snapshot(kind: str, entry_id: UUID, number: int) -> dict[str, Any]:
    """Revision `number` of an entry as stored (its row with the snapshot), or NotFound."""
    await load_entry(kind, entry_id)
    row = (
        await Revision.select(*Revision.all_columns())
        .where((Revision.entry == entry_id) & (Revision.number == number))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(f"the entry has no revision {number}")
    return row


async def get_revision(kind: str, entry_id: UUID, number: int) -> RevisionDetail:
    """One revision with a field-by-field diff against the one before (against nothing for the first)."""
    row = await revision_snapshot(kind, entry_id, number)
    before: dict[str, Any] = {}
    if number > 1:
        previous = (
            await Revision.select(Revision.snapshot)
            .where((Revision.entry == entry_id) & (Revision.number == number - 1))
            .output(load_json=True)
            .first()
        )
        before = _flatten(previous["snapshot"]) if previous else {}
    after = _flatten(row["snapshot"])
    names = list(dict.fromkeys([*before, *after]))
    diff = [
        FieldChange(field=name, old=_as_text(before.get(name)), new=_as_text(after.get(name)))
        for name in names
        if before.get(name) != after.get(name) and (before or after.get(name) not in (None, [], ""))
    ]
    return RevisionDetail(
        number=row["number"],
        action=row["action"],
        changed=row["changed"],
        staff_id=row["staff_id"],
        staff_name=row["staff_name"],
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        diff=diff,
        entry=row["snapshot"],
    )


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
