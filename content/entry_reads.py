"""One public entry and everything it is shaped with, read in one round trip on PostgreSQL.

An entry by slug is the most read answer and, with readers spread over thousands of entries, often
not kept yet: built through the ORM it took six queries (slug, entry, texts, topics, attachments,
assets), each one built in Python and sent on its own. Here one prepared statement reads the same
rows with the same types (asyncpg decodes the nested records with the codecs of the plain columns),
so `shape_entries` makes the same answer from them. SQLite, and reads inside a transaction, take the
ORM's way (content/queries.py).
"""

from collections import defaultdict
from typing import Any, Final
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine
from piccolo.utils.encoding import load_json

from content.languages import LANGUAGES
from content.media.catalogue import shape_asset
from content.related import Related
from content.schemas import TopicOut
from content.tables import Entry, MediaAsset
from core.db import utcnow

TEXT_COLUMNS: Final = (
    "entry",
    "lang",
    "slug",
    "title",
    "summary",
    "body",
    "body_html",
    "location",
    "text_revision",
    "source_revision",
)  # fmt: skip  (those content/shaping.py's load_related reads)
ENTRY_COLUMNS: Final = tuple(column._meta.db_column_name for column in Entry.all_columns())
ASSET_COLUMNS: Final = tuple(column._meta.db_column_name for column in MediaAsset._meta.columns)
ASSET_JSON: Final = tuple(column._meta.db_column_name for column in MediaAsset._meta.json_columns)


def _record(columns: tuple[str, ...], alias: str) -> str:
    return "ROW(" + ", ".join(f'{alias}."{name}"' for name in columns) + ")"


# $1 kind, $2 now, then $3 the entry's id, or $3 the languages and $4 the slug (lower case).
# Column names come from the tables, never from a request: every value is a parameter.
_RELATED: Final = (
    f"ARRAY(SELECT {_record(TEXT_COLUMNS, 't')} FROM entry_translation t WHERE t.entry = e.id) AS texts, "  # noqa: S608
    "ARRAY(SELECT ROW(p.slug, p.name_ka, p.name_en) FROM entry_topic et JOIN topic p ON p.id = et.topic "
    "WHERE et.entry = e.id ORDER BY p.slug) AS topics, "
    "ARRAY(SELECT a.asset_id FROM entry_attachment a WHERE a.entry = e.id ORDER BY a.position) "
    "AS attachments, "
    f"ARRAY(SELECT {_record(ASSET_COLUMNS, 'm')} FROM media_asset m WHERE m.id = e.cover_id OR m.id IN "
    "(SELECT a.asset_id FROM entry_attachment a WHERE a.entry = e.id)) AS assets"
)
_PUBLIC: Final = (
    "e.kind = $1 AND e.status = 'published' AND e.published_at <= $2 "
    "AND (e.embargo_until IS NULL OR e.embargo_until <= $2)"
)
_ENTRY: Final = ", ".join(f'e."{name}"' for name in ENTRY_COLUMNS)
BY_ID: Final = (
    f"SELECT {_ENTRY}, NULL::text AS slug_lang, {_RELATED} FROM entry e WHERE e.id = $3 AND {_PUBLIC}"  # noqa: S608 (no input in the text)
)
BY_SLUG: Final = (
    f"SELECT {_ENTRY}, s.lang AS slug_lang, {_RELATED} FROM entry_slug s JOIN entry e ON e.id = s.entry "  # noqa: S608
    f"WHERE s.kind = $1 AND s.lang = ANY($3::text[]) AND s.slug = $4 AND {_PUBLIC} LIMIT 1"
)


# $1 the entries' ids, $2 their covers' ids: what load_related reads, as one statement.
RELATED_OF: Final = (
    f"SELECT ARRAY(SELECT {_record(TEXT_COLUMNS, 't')} FROM entry_translation t "  # noqa: S608
    "WHERE t.entry = ANY($1::uuid[])) AS texts, "
    "ARRAY(SELECT ROW(et.entry, p.slug, p.name_ka, p.name_en) FROM entry_topic et "
    "JOIN topic p ON p.id = et.topic WHERE et.entry = ANY($1::uuid[]) ORDER BY p.slug) AS topics, "
    "ARRAY(SELECT ROW(a.entry, a.asset_id) FROM entry_attachment a WHERE a.entry = ANY($1::uuid[]) "
    "ORDER BY a.position) AS attachments, "
    f"ARRAY(SELECT {_record(ASSET_COLUMNS, 'm')} FROM media_asset m WHERE m.id = ANY($2::uuid[]) OR m.id IN "
    "(SELECT a.asset_id FROM entry_attachment a WHERE a.entry = ANY($1::uuid[]))) AS assets"
)


def _engine() -> PostgresEngine | None:
    """The PostgreSQL engine when its pool may serve this read (not inside a transaction), else None."""
    engine = Entry._meta.db
    if not isinstance(engine, PostgresEngine) or engine.pool is None:
        return None
    if engine.current_transaction.get() is not None:
        return None  # the transaction's own connection must see its writes: the ORM's way
    return engine


def _asset_row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(ASSET_COLUMNS, values, strict=True))
    for name in ASSET_JSON:  # as the ORM's `.output(load_json=True)` loads them
        if row[name] is not None:
            row[name] = load_json(row[name])
    return row


async def related_of(entries: list[dict[str, Any]]) -> Related:
    """What `shape_entries` needs for these entry rows, in one round trip (see content/shaping.py).

    Raises LookupError when this read cannot be served here (SQLite, a transaction): use the ORM.
    """
    engine = _engine()
    if engine is None or engine.pool is None:
        raise LookupError("not on a PostgreSQL pool")
    ids = [row["id"] for row in entries]
    covers = list({row["cover_id"] for row in entries if row["cover_id"] is not None})
    async with engine.pool.acquire() as connection:
        found = await connection.fetchrow(RELATED_OF, ids, covers)
    texts: dict[UUID, dict[str, dict[str, Any]]] = defaultdict(dict)
    for values in found["texts"]:
        texts[values[0]][values[1]] = dict(zip(TEXT_COLUMNS, values, strict=True))
    topics: dict[UUID, list[TopicOut]] = defaultdict(list)
    for entry_id, slug, name_ka, name_en in found["topics"]:
        topics[entry_id].append(TopicOut(slug=slug, name={"ka": name_ka, "en": name_en}))
    attachments: dict[UUID, list[UUID]] = defaultdict(list)
    for entry_id, asset_id in found["attachments"]:
        attachments[entry_id].append(asset_id)
    assets = {values[0]: shape_asset(_asset_row(values)) for values in found["assets"]}
    return Related(texts, topics, attachments, assets)


async def public_entry(
    kind: str, entry_id: UUID | None, ref: str
) -> tuple[dict[str, Any], str | None, Related] | None:
    """The entry row, the language of the slug that matched, and its related rows; None: not found.

    Raises LookupError when this read cannot be served here (SQLite, a transaction): use the ORM.
    """
    engine = _engine()
    if engine is None or engine.pool is None:
        raise LookupError("not on a PostgreSQL pool")
    async with engine.pool.acquire() as connection:
        if entry_id is not None:
            found = await connection.fetchrow(BY_ID, kind, utcnow(), entry_id)
        else:
            found = await connection.fetchrow(BY_SLUG, kind, utcnow(), list(LANGUAGES), ref.lower())
    if found is None:
        return None
    row = {name: found[name] for name in ENTRY_COLUMNS}
    texts = {values[1]: dict(zip(TEXT_COLUMNS, values, strict=True)) for values in found["texts"]}
    topics = [
        TopicOut(slug=slug, name={"ka": name_ka, "en": name_en}) for slug, name_ka, name_en in found["topics"]
    ]
    assets = {values[0]: shape_asset(_asset_row(values)) for values in found["assets"]}
    related = Related(
        {row["id"]: texts} if texts else {},
        {row["id"]: topics} if topics else {},
        {row["id"]: list(found["attachments"])} if found["attachments"] else {},
        assets,
    )
    return row, found["slug_lang"], related
