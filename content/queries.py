"""Reading entries: public lists with keyset pagination, search, and one entry by slug or id."""

import base64
import binascii
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable
from piccolo.query.methods.select import Select

from content.entry_reads import public_entry
from content.languages import LANGUAGES
from content.schemas import EntryOut, EntryPage
from content.search import fts5_query, query_terms, tsquery
from content.shaping import build_entries, shape_entries
from content.tables import Entry, EntrySlug, EntryTopic, EntryTranslation, Topic
from content.translation_filters import check_state, translation_condition
from core.db import as_utc, is_sqlite, utcnow
from core.errors import Invalid, NotFound

PUBLIC_STATUS = "published"
STAFF_STATUSES = frozenset({"draft", "in_review", "scheduled", "published", "archived"})


def is_public() -> Combinable:
    """The condition on an entry row that the public may see it now (published and out of embargo)."""
    now = utcnow()
    return (
        (Entry.status == PUBLIC_STATUS)
        & (Entry.published_at <= now)
        & (Entry.embargo_until.is_null() | (Entry.embargo_until <= now))
    )


def public_entry_ids(kind: str | None = None) -> Select[Any]:
    """A sub-select of the ids of entries the public may see now (published and out of embargo)."""
    query = Entry.select(Entry.id).where(is_public())
    if kind is not None:
        query = query.where(Entry.kind == kind)
    return query


def encode_cursor(moment: datetime, entry_id: UUID) -> str:
    """An opaque cursor for the position after an entry."""
    raw = f"{moment.isoformat()}|{entry_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """Read a cursor back; anything not made by `encode_cursor` is refused."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, _, id_text = raw.partition("|")
        moment = as_utc(datetime.fromisoformat(moment_text))
        assert moment is not None
        return moment, UUID(id_text)
    except (ValueError, binascii.Error, UnicodeDecodeError, AssertionError):
        raise Invalid("the cursor is not one this server gave out", field="cursor") from None


async def list_entries(
    kind: str,
    lang: str,
    *,
    limit: int = 20,
    cursor: str | None = None,
    topic: str | None = None,
    q: str | None = None,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    status: str | None = None,
    staff: bool = False,
    translation: str | None = None,
    translation_lang: str | None = None,
) -> EntryPage:
    """One page of entries of a kind in one language, newest first.

    The public sees only published entries out of embargo; staff may ask for one other status,
    which is then ordered by last change. Staff may also ask for entries whose translation is
    `missing` or `outdated`: in `translation_lang`, or in either language when it is None; those
    entries are shown in `lang` where they have it, else in the language they have.
    """
    if status is not None and (not staff or status not in STAFF_STATUSES):
        raise Invalid(
            "status filters are for staff: draft, in_review, scheduled, published or archived", field="status"
        )
    if translation is not None and not staff:
        raise Invalid("translation filters are for staff", field="translation")
    state = check_state(translation) if translation is not None else None
    published_view = status is None or status == PUBLIC_STATUS
    sort_column = Entry.published_at if published_view else Entry.updated_at
    sort_key = "published_at" if published_view else "updated_at"

    query = Entry.select(*Entry.all_columns()).where(Entry.kind == kind)
    # The public's condition on the row itself, not as a sub-select of ids: the planner then walks
    # the entry_listing index newest first and stops after one page (query plans in the README).
    query = query.where(is_public() if status is None else Entry.status == status)
    translations = EntryTranslation.select(EntryTranslation.entry).where(
        (EntryTranslation.kind == kind) & (EntryTranslation.lang == lang)
    )
    if q is not None:
        terms = query_terms(q)
        if not terms:
            return EntryPage(items=[], next_cursor=None)
        translations = translations.where(search_clause(terms))
    if state is not None:
        query = query.where(translation_condition(state, translation_lang))
    if state is None or q is not None:
        # A translation filter reaches past the list's language; a search still looks in it.
        query = query.where(Entry.id.is_in(translations))
    if topic is not None:
        query = query.where(
            Entry.id.is_in(EntryTopic.select(EntryTopic.entry).where(EntryTopic.topic.slug == topic))
        )
    if starts_from is not None:
        query = query.where(Entry.starts_at >= starts_from)
    if starts_to is not None:
        query = query.where(Entry.starts_at < starts_to)
    if cursor is not None:
        moment, last_id = decode_cursor(cursor)
        query = query.where((sort_column < moment) | ((sort_column == moment) & (Entry.id < last_id)))
    rows = await query.order_by(sort_column, Entry.id, ascending=False).limit(limit + 1)

    has_more = len(rows) > limit
    rows = rows[:limit]
    items = await build_entries(rows, lang, staff=staff)
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(as_utc(last[sort_key]), last["id"])  # type: ignore[arg-type]
    return EntryPage(items=items, next_cursor=next_cursor)


def search_clause(terms: list[str]) -> WhereRaw:
    if is_sqlite():
        return WhereRaw(
            "entry_translation.id IN (SELECT translation_id FROM entry_search WHERE entry_search MATCH {})",
            fts5_query(terms),
        )
    # The matches first, from the GIN index (OFFSET 0 keeps the planner from folding this into a
    # walk of the newest entries that recomputes every text's tsvector until a page is full).
    return WhereRaw(
        "entry_translation.id IN (SELECT id FROM entry_translation WHERE"
        " to_tsvector('simple', search_text) @@ to_tsquery('simple', {}) OFFSET 0)",
        tsquery(terms),
    )


def parse_entry_id(ref: str) -> UUID | None:
    """The id a reference names, if it is an id rather than a slug."""
    try:
        return UUID(ref)
    except ValueError:
        return None


async def find_entry_row(kind: str, ref: str, *, public: bool) -> tuple[dict[str, Any], str | None]:
    """The entry a reference (id, or current or former slug in either language) names.

    Returns the row and the language of the slug that matched (None for an id). Entries the public
    may not see are not found for the public.
    """
    entry_id = parse_entry_id(ref)
    slug_lang: str | None = None
    if entry_id is None:
        # Every language named, so that the (kind, lang, slug) index serves the look-up.
        slug_rows = await EntrySlug.select(EntrySlug.entry, EntrySlug.lang).where(
            (EntrySlug.kind == kind) & EntrySlug.lang.is_in(list(LANGUAGES)) & (EntrySlug.slug == ref.lower())
        )
        if not slug_rows:
            raise NotFound(f"no {kind} entry {ref!r}")
        entry_id, slug_lang = slug_rows[0]["entry"], slug_rows[0]["lang"]
    query = Entry.select(*Entry.all_columns()).where((Entry.id == entry_id) & (Entry.kind == kind))
    if public:
        query = query.where(is_public())
    row = await query.first()
    if row is None:
        raise NotFound(f"no {kind} entry {ref!r}")
    return row, slug_lang


async def get_entry(kind: str, ref: str, lang: str | None, fallback_lang: str, *, staff: bool) -> EntryOut:
    """One entry by id or slug.

    Its language is `lang` if asked for and present, else the language of the slug that matched,
    else `fallback_lang`, else whichever language it has.
    """
    if not staff:
        try:
            found = await public_entry(kind, parse_entry_id(ref), ref)
        except LookupError:  # SQLite, or inside a transaction: the ORM's way below
            pass
        else:
            if found is None:
                raise NotFound(f"no {kind} entry {ref!r}")
            row, slug_lang, related = found
            shaped = shape_entries([row], lang or slug_lang or fallback_lang, related, staff=False)
            if not shaped:
                raise NotFound(f"no {kind} entry {ref!r}")
            return shaped[0]
    row, slug_lang = await find_entry_row(kind, ref, public=not staff)
    preferred = lang or slug_lang or fallback_lang
    shaped = await build_entries([row], preferred, staff=staff)
    if not shaped:
        raise NotFound(f"no {kind} entry {ref!r}")
    return shaped[0]


async def topic_exists(slug: str) -> bool:
    """Whether a topic slug names a topic."""
    return bool(await Topic.exists().where(Topic.slug == slug))
