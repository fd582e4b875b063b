"""Backups a person can read: every table as JSON Lines, plus the media files (`scmi export`/`import`).

The archive holds everything the database holds except API token hashes (staff get new tokens
after a restore): content with its revisions, the media library, staff, the audit log, mailing
lists, subscribers and their consent records, which are personal data. It is generic over the
Piccolo app registry, so tables that later apps add are included without changes here.
"""

import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from piccolo.columns import JSON, JSONB, Column, Timestamp, Timestamptz
from piccolo.table import Table, sort_table_classes

import piccolo_conf
from accounts.tables import ApiToken
from content.media.library import rendition_key
from content.media.storage import MediaStorage
from content.tables import Entry, MediaAsset
from core.db import is_sqlite, utcnow, write_transaction
from core.errors import Conflict, Invalid

FORMAT: Final = "scmi-archive"
VERSION: Final = 1
# Token hashes stay out: a backup that lets its reader sign in as staff would be a liability.
SKIPPED: Final[frozenset[str]] = frozenset({ApiToken._meta.tablename})
CHUNK: Final = 200
EXPORT_PAGE: Final = 2000


@dataclass
class ArchiveReport:
    """Rows per table and media files written or read."""

    rows: dict[str, int] = field(default_factory=dict)
    media_files: int = 0


def archived_tables() -> list[type[Table]]:
    """Every table of every registered app in the order foreign keys need, minus the skipped ones."""
    tables = [
        table
        for app in piccolo_conf.APP_REGISTRY.app_configs.values()
        for table in app.table_classes
        if table._meta.tablename not in SKIPPED
    ]
    return sort_table_classes(tables)


def _column_kinds(table: type[Table]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for column in table._meta.columns:
        kinds[column._meta.name] = _kind(column)
    return kinds


def _kind(column: Column) -> str:
    if isinstance(column, Timestamptz | Timestamp):
        return "datetime"
    if isinstance(column, JSON | JSONB):
        return "json"
    # A foreign key's value type is its target's, so a key to a UUID primary key reads as "uuid" too.
    if column.value_type is uuid.UUID:
        return "uuid"
    return "plain"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot archive a {type(value).__name__}")


def _decode(row: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for name, value in row.items():
        kind = kinds.get(name)
        if kind is None:
            raise Invalid(f"the archive has a column {name!r} this version does not know")
        if value is None or kind in {"plain", "json"}:
            decoded[name] = value
        elif kind == "datetime":
            decoded[name] = dt.datetime.fromisoformat(value)
        else:
            decoded[name] = uuid.UUID(value)
    return decoded


def _media_keys(asset: dict[str, Any]) -> Iterator[str]:
    yield asset["original_key"]
    if asset["file_key"] != asset["original_key"]:
        yield asset["file_key"]
    for rendition in asset["renditions"] or []:
        yield rendition_key(asset["sha256"], rendition["name"])


def _safe_path(root: Path, key: str) -> Path:
    path = (root / key).resolve()
    if not path.is_relative_to(root.resolve()):
        raise Invalid(f"media key {key!r} leaves the archive")
    return path


async def _all_rows(table: type[Table], page: int) -> AsyncIterator[dict[str, Any]]:
    """Every row by primary key, a page at a time, so memory stays flat however large the table."""
    primary_key = table._meta.primary_key
    last: Any = None
    while True:
        query = table.select().order_by(primary_key).limit(page).output(load_json=True)
        if last is not None:
            query = query.where(primary_key > last)
        rows = await query
        for row in rows:
            yield row
        if len(rows) < page:
            return
        last = rows[-1][primary_key._meta.name]


async def export_archive(directory: Path, storage: MediaStorage, *, page: int = EXPORT_PAGE) -> ArchiveReport:
    """Write every table to DIRECTORY/tables/NAME.jsonl and the media files under DIRECTORY/media/.

    All reads happen in one read-only snapshot (REPEATABLE READ on PostgreSQL, a read transaction on
    SQLite's WAL), so the archive is consistent even while the service keeps writing.
    """
    async with Entry._meta.db.transaction():
        if not is_sqlite():
            await Entry.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return await _export(directory, storage, page)


async def _export(directory: Path, storage: MediaStorage, page: int) -> ArchiveReport:
    tables_dir = directory / "tables"
    media_dir = directory / "media"
    tables_dir.mkdir(parents=True, exist_ok=True)
    media_dir.mkdir(parents=True, exist_ok=True)
    report = ArchiveReport()
    order: list[str] = []
    for table in archived_tables():
        name = table._meta.tablename
        order.append(name)
        count = 0
        with (tables_dir / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            async for row in _all_rows(table, page):
                out.write(json.dumps(row, ensure_ascii=False, default=_encode, sort_keys=True) + "\n")
                count += 1
        report.rows[name] = count
    assets = await MediaAsset.select().output(load_json=True)
    for asset in assets:
        for key in _media_keys(asset):
            path = _safe_path(media_dir, key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(await storage.read_bytes(key))
            report.media_files += 1
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": utcnow().isoformat(),
        "tables": order,
        "rows": report.rows,
        "media_files": report.media_files,
        "skipped": sorted(SKIPPED),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return report


def _read_manifest(directory: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Invalid(f"{directory} is not an archive: it has no manifest.json") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise Invalid(f"{directory} is not an {FORMAT} of version {VERSION}")
    return manifest


async def _check_empty() -> None:
    for table in archived_tables():
        if await table.count():
            raise Conflict(
                f"the database is not empty (table {table._meta.tablename} has rows); "
                "import restores into an empty database only"
            )


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise Invalid(f"{path.name} line {number}: {error.msg}") from None


async def _rebuild_search_index() -> None:
    """SQLite's FTS5 table is not a Piccolo table: fill it from the restored translations."""
    if is_sqlite():
        await Entry.raw("DELETE FROM entry_search")
        await Entry.raw(
            "INSERT INTO entry_search (search_text, translation_id)"
            " SELECT search_text, id FROM entry_translation"
        )


async def import_archive(directory: Path, storage: MediaStorage) -> ArchiveReport:
    """Restore an archive into an empty database and put its media files back in storage."""
    manifest = _read_manifest(directory)
    await _check_empty()
    known = {table._meta.tablename: table for table in archived_tables()}
    unknown = set(manifest["tables"]) - known.keys()
    if unknown:
        raise Invalid(f"the archive has tables this version does not know: {', '.join(sorted(unknown))}")
    report = ArchiveReport()
    async with write_transaction(Entry):
        for name, table in known.items():
            path = directory / "tables" / f"{name}.jsonl"
            if not path.exists():
                continue
            kinds = _column_kinds(table)
            batch: list[Table] = []
            count = 0
            for row in _rows(path):
                batch.append(table(**_decode(row, kinds)))
                count += 1
                if len(batch) >= CHUNK:
                    await table.insert(*batch)
                    batch = []
            if batch:
                await table.insert(*batch)
            report.rows[name] = count
        await _rebuild_search_index()
    media_dir = directory / "media"
    if media_dir.is_dir():
        for path in sorted(media_dir.rglob("*")):
            if path.is_file():
                await storage.put_file(path.relative_to(media_dir).as_posix(), path)
                report.media_files += 1
    return report
