"""Who may see an asset: staff always; the public only when a published, visible entry uses it."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from content.media.catalogue import asset_row, shape_asset
from content.media.library import rendition_key
from content.media.schemas import AssetOut, AssetPage
from content.queries import decode_cursor, encode_cursor, public_entry_ids
from content.tables import Entry, EntryAttachment, MediaAsset
from core.db import as_utc
from core.errors import NotFound

DOCUMENT_FAMILIES = frozenset({"document"})


@dataclass(frozen=True, slots=True)
class ServedFile:
    """What to send for a file: where it is, its type, validator, and how to offer it."""

    key: str
    mime: str
    etag: str
    filename: str
    download: bool
    public: bool


async def is_public(asset_id: UUID) -> bool:
    """Whether a published entry out of embargo has the asset as cover or attachment."""
    as_cover = await Entry.exists().where((Entry.cover_id == asset_id) & Entry.id.is_in(public_entry_ids()))
    if as_cover:
        return True
    return bool(
        await EntryAttachment.exists().where(
            (EntryAttachment.asset_id == asset_id) & EntryAttachment.entry.is_in(public_entry_ids())
        )
    )


async def _visible_row(asset_id: UUID, *, staff: bool) -> tuple[dict[str, Any], bool]:
    row = await asset_row(asset_id)
    public = row is not None and await is_public(asset_id)
    if row is None or not (staff or public):
        raise NotFound("no such media asset")
    return row, public


async def get_asset(asset_id: UUID, *, staff: bool) -> AssetOut:
    """An asset the caller may see; NotFound otherwise (the public does not learn that drafts exist)."""
    row, _ = await _visible_row(asset_id, staff=staff)
    return shape_asset(row)


async def served_file(asset_id: UUID, rendition: str | None, *, staff: bool) -> ServedFile:
    """The file (or one rendition) of an asset the caller may see."""
    row, public = await _visible_row(asset_id, staff=staff)
    download = row["family"] in DOCUMENT_FAMILIES
    if rendition is None:
        return ServedFile(
            key=row["file_key"],
            mime=row["mime"],
            etag=f'"{row["sha256"]}"',
            filename=row["original_name"],
            download=download,
            public=public,
        )
    made = {item["name"]: item for item in row["renditions"] or []}
    if rendition not in made:
        raise NotFound(f"the asset has no rendition {rendition!r} (yet)")
    stem = row["original_name"].rpartition(".")[0] or row["original_name"]
    return ServedFile(
        key=rendition_key(row["sha256"], rendition),
        mime=made[rendition]["mime"],
        etag=f'"{row["sha256"]}-{rendition}"',
        filename=f"{stem}-{rendition}",
        download=False,
        public=public,
    )


async def list_assets(
    *, staff: bool, limit: int = 20, cursor: str | None = None, family: str | None = None
) -> AssetPage:
    """The library, newest first: everything for staff, the public only what published entries use."""
    query = MediaAsset.select().output(load_json=True)
    if not staff:
        public = public_entry_ids()
        query = query.where(
            MediaAsset.id.is_in(Entry.select(Entry.cover_id).where(Entry.id.is_in(public)))
            | MediaAsset.id.is_in(
                EntryAttachment.select(EntryAttachment.asset_id).where(
                    EntryAttachment.entry.is_in(public_entry_ids())
                )
            )
        )
    if family is not None:
        query = query.where(MediaAsset.family == family)
    if cursor is not None:
        moment, last_id = decode_cursor(cursor)
        query = query.where(
            (MediaAsset.created_at < moment) | ((MediaAsset.created_at == moment) & (MediaAsset.id < last_id))
        )
    rows = await query.order_by(MediaAsset.created_at, MediaAsset.id, ascending=False).limit(limit + 1)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(as_utc(page[-1]["created_at"]), page[-1]["id"])  # type: ignore[arg-type]
    return AssetPage(items=[shape_asset(row) for row in page], next_cursor=next_cursor)
