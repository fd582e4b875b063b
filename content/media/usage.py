"""Where a media asset is used: the entries that have it as their cover or among their attachments."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from content.tables import Entry, EntryAttachment, EntryTranslation


@dataclass(frozen=True, slots=True)
class AssetUse:
    """One entry that uses an asset, and how (as "cover" or as "attachment")."""

    entry_id: UUID
    kind: str
    status: str
    role: str
    titles: dict[str, str]


async def asset_usage(asset_id: UUID) -> list[AssetUse]:
    """Every entry using the asset, newest first; an entry using it both ways is listed for each."""
    covers = await Entry.select(Entry.id, Entry.kind, Entry.status, Entry.updated_at).where(
        Entry.cover_id == asset_id
    )
    attached_ids = EntryAttachment.select(EntryAttachment.entry).where(EntryAttachment.asset_id == asset_id)
    attachments = await Entry.select(Entry.id, Entry.kind, Entry.status, Entry.updated_at).where(
        Entry.id.is_in(attached_ids)
    )
    found: list[tuple[dict[str, Any], str]] = [(row, "cover") for row in covers]
    found += [(row, "attachment") for row in attachments]
    if not found:
        return []
    entry_ids = list({row["id"] for row, _ in found})
    titles: dict[UUID, dict[str, str]] = {}
    for row in await EntryTranslation.select(
        EntryTranslation.entry, EntryTranslation.lang, EntryTranslation.title
    ).where(EntryTranslation.entry.is_in(entry_ids)):
        titles.setdefault(row["entry"], {})[row["lang"]] = row["title"]
    # Newest change first; cover before attachment for the same entry.
    found.sort(key=lambda pair: (pair[0]["updated_at"], pair[1] == "cover"), reverse=True)
    return [
        AssetUse(
            entry_id=row["id"],
            kind=row["kind"],
            status=row["status"],
            role=role,
            titles=titles.get(row["id"], {}),
        )
        for row, role in found
    ]
