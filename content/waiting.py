"""What waits for a staff member: their drafts, what goes out soon, embargoes lifting, the latest."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

from content.languages import DEFAULT_LANG
from content.tables import Entry, EntryTranslation
from core.db import as_utc, utcnow

SOON: Final = timedelta(days=7)
PER_SECTION: Final = 10


@dataclass(frozen=True, slots=True)
class WaitingItem:
    """An entry in a dashboard section: title in the reader's language, kind, the moment that matters."""

    id: UUID
    kind: str
    title: str
    moment: datetime | None


async def _titles(ids: list[UUID], lang: str) -> dict[UUID, str]:
    """Each entry's title in `lang`, or in the other language where it has none yet."""
    if not ids:
        return {}
    rows = await EntryTranslation.select(
        EntryTranslation.entry, EntryTranslation.lang, EntryTranslation.title
    ).where(EntryTranslation.entry.is_in(ids))
    titles: dict[UUID, str] = {}
    for row in sorted(rows, key=lambda row: row["lang"] != lang):  # the asked language first
        titles.setdefault(row["entry"], row["title"])
    return titles


async def _section(query: Any, moment: str, lang: str) -> list[WaitingItem]:
    rows = await query.limit(PER_SECTION)
    titles = await _titles([row["id"] for row in rows], lang)
    return [
        WaitingItem(
            id=row["id"], kind=row["kind"], title=titles.get(row["id"], "—"), moment=as_utc(row[moment])
        )
        for row in rows
    ]


async def waiting_for(staff_id: UUID, lang: str = DEFAULT_LANG) -> dict[str, list[WaitingItem]]:
    """The dashboard's sections, each newest or soonest first."""
    now = utcnow()
    columns = (
        Entry.id,
        Entry.kind,
        Entry.updated_at,
        Entry.publish_at,
        Entry.embargo_until,
        Entry.published_at,
    )
    drafts = (
        Entry.select(*columns)
        .where((Entry.created_by == staff_id) & (Entry.status == "draft"))
        .order_by(Entry.updated_at, ascending=False)
    )
    in_review = (
        Entry.select(*columns).where(Entry.status == "in_review").order_by(Entry.updated_at, ascending=False)
    )
    scheduled = (
        Entry.select(*columns)
        .where((Entry.status == "scheduled") & (Entry.publish_at <= now + SOON))
        .order_by(Entry.publish_at)
    )
    embargoes = (
        Entry.select(*columns)
        .where((Entry.embargo_until > now) & (Entry.embargo_until <= now + SOON))
        .order_by(Entry.embargo_until)
    )
    latest = (
        Entry.select(*columns)
        .where(Entry.status == "published")
        .order_by(Entry.published_at, ascending=False)
    )
    return {
        "my_drafts": await _section(drafts, "updated_at", lang),
        "in_review": await _section(in_review, "updated_at", lang),
        "scheduled": await _section(scheduled, "publish_at", lang),
        "embargoes": await _section(embargoes, "embargo_until", lang),
        "latest": await _section(latest, "published_at", lang),
    }
