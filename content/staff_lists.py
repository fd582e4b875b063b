"""The console's lists of entries: every status, newest change first, filtered, keyset-paged both ways."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, get_args
from uuid import UUID

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from content.languages import LANGUAGES
from content.queries import decode_cursor, encode_cursor, search_clause
from content.search import query_terms
from content.tables import Entry, EntryTranslation
from content.translation_filters import check_language, translation_condition
from content.workflow.outdated import outdated_languages
from core.db import as_utc, utcnow
from core.errors import Invalid

StaffStatus = Literal["draft", "in_review", "scheduled", "published", "embargoed", "archived"]
STAFF_STATUSES: Final[tuple[StaffStatus, ...]] = get_args(StaffStatus)
PAGE_SIZE: Final = 25
ANY_LANGUAGE: Final = "any"


@dataclass(frozen=True, slots=True)
class StaffFilters:
    """What a staff list is narrowed to; None (or empty) leaves a filter out."""

    status: str | None = None
    missing: str | None = None
    topic: str | None = None
    q: str | None = None
    author: UUID | None = None
    # A language whose translation is outdated, or "any" for either.
    outdated: str | None = None


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One line of a staff list: the title in the asked language (or the other, named by `title_lang`)."""

    id: UUID
    title: str
    title_lang: str
    status: StaffStatus
    languages: tuple[str, ...]
    updated_at: datetime
    author_name: str
    # The languages whose translation is behind the other language.
    outdated: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StaffPage:
    """One page, with the cursors of the pages of older and of newer entries when there are any."""

    rows: list[StaffRow]
    older: str | None
    newer: str | None


def shown_status(row: dict[str, Any], now: datetime) -> StaffStatus:
    """The status staff read: a published entry whose embargo has not lifted yet is `embargoed`."""
    embargo = as_utc(row["embargo_until"])
    if row["status"] == "published" and embargo is not None and embargo > now:
        return "embargoed"
    status: StaffStatus = row["status"]
    return status


def _status_condition(status: str, now: datetime) -> Combinable:
    if status == "embargoed":
        return (Entry.status == "published") & (Entry.embargo_until > now)
    if status == "published":
        return (Entry.status == "published") & (Entry.embargo_until.is_null() | (Entry.embargo_until <= now))
    return Entry.status == status


def _check(filters: StaffFilters) -> None:
    if filters.status is not None and filters.status not in STAFF_STATUSES:
        raise Invalid("the status is one of " + ", ".join(STAFF_STATUSES), field="status")
    if filters.missing is not None:
        check_language(filters.missing, "missing")
    if filters.outdated is not None and filters.outdated != ANY_LANGUAGE:
        check_language(filters.outdated, "outdated")


async def staff_list(
    kind: str,
    lang: str,
    filters: StaffFilters = StaffFilters(),
    *,
    older_than: str | None = None,
    newer_than: str | None = None,
    limit: int = PAGE_SIZE,
) -> StaffPage:
    """A page of a kind's entries of every status for staff, by last change, newest first.

    `older_than` and `newer_than` are cursors this function gave out (`older`, `newer`). Two queries
    whatever the page size: the page of entries (off one of the staff indexes), then their titles.
    """
    _check(filters)
    now = utcnow()
    query = Entry.select(
        Entry.id, Entry.status, Entry.embargo_until, Entry.updated_at, Entry.author_name
    ).where(Entry.kind == kind)
    if filters.status is not None:
        query = query.where(_status_condition(filters.status, now))
    if filters.author is not None:
        query = query.where(Entry.created_by == filters.author)
    if filters.missing is not None:
        query = query.where(translation_condition("missing", filters.missing))
    if filters.outdated is not None:
        lang_behind = None if filters.outdated == ANY_LANGUAGE else filters.outdated
        query = query.where(translation_condition("outdated", lang_behind))
    if filters.topic is not None:
        query = query.where(
            WhereRaw(
                "EXISTS (SELECT 1 FROM entry_topic AS et JOIN topic AS tp ON tp.id = et.topic"
                " WHERE et.entry = entry.id AND tp.slug = {})",
                filters.topic,
            )
        )
    if filters.q is not None and filters.q.strip():
        terms = query_terms(filters.q)
        if not terms:
            return StaffPage(rows=[], older=None, newer=None)
        matches = EntryTranslation.select(EntryTranslation.entry).where(
            (EntryTranslation.kind == kind) & search_clause(terms)
        )
        query = query.where(Entry.id.is_in(matches))
    backwards = newer_than is not None
    cursor = newer_than if backwards else older_than
    if cursor is not None:
        moment, last_id = decode_cursor(cursor)
        if backwards:
            query = query.where(
                (Entry.updated_at > moment) | ((Entry.updated_at == moment) & (Entry.id > last_id))
            )
        else:
            query = query.where(
                (Entry.updated_at < moment) | ((Entry.updated_at == moment) & (Entry.id < last_id))
            )
    rows = await query.order_by(Entry.updated_at, Entry.id, ascending=backwards).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    page_rows = await _shape(rows, lang, now)
    older = newer = None
    if page_rows:
        first, last = page_rows[0], page_rows[-1]
        # Going back, the page we came from is older; going forward, the one we came from is newer.
        if more or backwards:
            older = encode_cursor(last.updated_at, last.id)
        if (more and backwards) or (not backwards and cursor is not None):
            newer = encode_cursor(first.updated_at, first.id)
    return StaffPage(rows=page_rows, older=older, newer=newer)


async def _shape(rows: list[dict[str, Any]], lang: str, now: datetime) -> list[StaffRow]:
    if not rows:
        return []
    translations = await EntryTranslation.select(
        EntryTranslation.entry,
        EntryTranslation.lang,
        EntryTranslation.title,
        EntryTranslation.text_revision,
        EntryTranslation.source_revision,
    ).where(EntryTranslation.entry.is_in([row["id"] for row in rows]))
    texts: dict[UUID, dict[str, dict[str, Any]]] = {}
    for translation in translations:
        texts.setdefault(translation["entry"], {})[translation["lang"]] = translation
    shaped = []
    for row in rows:
        by_lang = texts.get(row["id"], {})
        own = {code: text["title"] for code, text in by_lang.items()}
        behind = outdated_languages(by_lang)
        title_lang = lang if lang in own else next((other for other in LANGUAGES if other in own), lang)
        updated = as_utc(row["updated_at"])
        assert updated is not None
        shaped.append(
            StaffRow(
                id=row["id"],
                title=own.get(title_lang, ""),
                title_lang=title_lang,
                status=shown_status(row, now),
                languages=tuple(other for other in LANGUAGES if other in own),
                updated_at=updated,
                author_name=row["author_name"],
                outdated=tuple(other for other in LANGUAGES if other in behind),
            )
        )
    return shaped
