"""Restoring a revision: a new revision whose content equals revision n (the history stays whole)."""

from typing import Any
from uuid import UUID

import msgspec

from content.entries import ENTRY_KIND_FIELDS, update_entry
from content.kinds import KIND_FIELDS
from content.revisions import load_entry, revision_snapshot
from content.schemas import Actor, EntryOut, EntryPatch
from content.tables import EntryTranslation
from core.errors import Forbidden


def _patch_from(kind: str, snapshot: dict[str, Any], current_langs: set[str]) -> EntryPatch:
    sources: dict[str, Any] = snapshot.get("sources") or {}
    translations: dict[str, Any] = {
        lang: {name: text.get(name) for name in ("title", "summary", "body", "location")}
        for lang, text in sources.items()
    }
    for lang in current_langs - set(sources):
        translations[lang] = None  # a language added after revision n goes again
    data: dict[str, Any] = {
        "translations": translations,
        "topics": [topic["slug"] for topic in snapshot.get("topics") or []],
        "cover_id": snapshot.get("cover_id"),
        "attachment_ids": snapshot.get("attachment_ids") or [],
    }
    for name in ENTRY_KIND_FIELDS:
        if name in KIND_FIELDS[kind] and name in snapshot:
            data[name] = snapshot[name]
    return msgspec.convert(data, EntryPatch)


async def restore_revision(kind: str, entry_id: UUID, number: int, actor: Actor) -> EntryOut:
    """Bring the texts, topics, media and kind fields of revision `number` back; the status stays."""
    if not actor.can_publish:
        raise Forbidden("only editors and admins restore a revision")
    row = await revision_snapshot(kind, entry_id, number)
    await load_entry(kind, entry_id)
    current = await _current_langs(entry_id)
    patch = _patch_from(kind, row["snapshot"], current)
    return await update_entry(kind, entry_id, patch, actor, action="restore")


async def _current_langs(entry_id: UUID) -> set[str]:
    rows = await EntryTranslation.select(EntryTranslation.lang).where(EntryTranslation.entry == entry_id)
    return {row["lang"] for row in rows}
