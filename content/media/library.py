"""Adding files to the media library and editing their press metadata."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from msgspec import UNSET

from content.media.catalogue import asset_row, asset_row_by_sha256, missing_asset_ids, shape_asset
from content.media.images import clean_image
from content.media.limits import MediaLimits
from content.media.names import sanitise_filename
from content.media.schemas import AssetOut, AssetPatch
from content.media.sniff import detect
from content.media.storage import MediaStorage
from content.tables import MediaAsset
from core.db import utcnow, write_transaction
from core.errors import Invalid, NotFound

Enqueue = Callable[[UUID], Awaitable[None]]


def original_key(sha256: str, extension: str) -> str:
    """Where the bytes as uploaded are kept (private: they may carry EXIF and GPS)."""
    return f"originals/{sha256}.{extension}"


def served_key(sha256: str, extension: str) -> str:
    """Where an image's re-encoded copy without metadata is kept; it is what the public gets."""
    return f"files/{sha256}.{extension}"


def rendition_key(sha256: str, name: str) -> str:
    """Where one rendition of an image is kept."""
    return f"renditions/{sha256}/{name}"


async def add_upload(
    path: Path,
    sha256: str,
    size: int,
    filename: str | None,
    uploaded_by: UUID | None,
    storage: MediaStorage,
    limits: MediaLimits,
    enqueue_renditions: Enqueue,
) -> tuple[AssetOut, bool]:
    """Check an uploaded file by its bytes, store it under keys made from its sha256 and record it.

    Returns the asset and whether it is new (the same bytes uploaded again give the same asset).
    """
    name = sanitise_filename(filename)
    media_type = await asyncio.to_thread(detect, path, name)
    existing = await asset_row_by_sha256(sha256)
    if existing is not None:
        return shape_asset(existing), False

    width = height = None
    original = original_key(sha256, media_type.extension)
    served = original
    served_size = size
    if media_type.family == "image":
        clean = await asyncio.to_thread(clean_image, path, media_type, limits.max_pixels)
        width, height = clean.width, clean.height
        served_size = len(clean.data)  # the size readers download, as feeds' enclosures must say
        served = served_key(sha256, media_type.extension)
        await storage.put_bytes(served, clean.data)
    await storage.put_file(original, path)

    now = utcnow()
    asset = MediaAsset(
        sha256=sha256,
        mime=media_type.mime,
        family=media_type.family,
        extension=media_type.extension,
        size=served_size,
        original_key=original,
        file_key=served,
        original_name=name,
        width=width,
        height=height,
        renditions=[],
        caption={},
        alt={},
        credit={},
        licence="",
        uploaded_by=uploaded_by,
        created_at=now,
        updated_at=now,
    )
    async with write_transaction(MediaAsset):
        # Another upload of the same bytes may have won the race while we stored them: keep theirs.
        await MediaAsset.insert(asset).on_conflict(target=MediaAsset.sha256, action="DO NOTHING")
    row = await asset_row_by_sha256(sha256)
    assert row is not None
    if row["id"] != asset.id:
        return shape_asset(row), False
    if media_type.family == "image":
        await enqueue_renditions(asset.id)
    return shape_asset(row), True


def _merged(current: dict[str, str], change: dict[str, str]) -> dict[str, str]:
    merged = {**current, **change}
    return {lang: text for lang, text in merged.items() if text.strip()}


async def update_asset(asset_id: UUID, patch: AssetPatch) -> AssetOut:
    """Change an asset's caption, alt text, credit (per language) or licence."""
    async with write_transaction(MediaAsset):
        row = await asset_row(asset_id)
        if row is None:
            raise NotFound("no such media asset")
        values: dict[Any, Any] = {}
        for name in ("caption", "alt", "credit"):
            change = getattr(patch, name)
            if change is not UNSET:
                values[getattr(MediaAsset, name)] = _merged(row[name] or {}, change)
        if patch.licence is not UNSET:
            values[MediaAsset.licence] = patch.licence.strip()
        if values:
            values[MediaAsset.updated_at] = utcnow()
            await MediaAsset.update(values).where(MediaAsset.id == asset_id)
    updated = await asset_row(asset_id)
    assert updated is not None
    return shape_asset(updated)


async def require_assets(cover_id: UUID | None, attachment_ids: list[UUID]) -> None:
    """Refuse an entry's cover or attachments that name no asset (Invalid naming the field)."""
    if cover_id is not None and await missing_asset_ids([cover_id]):
        raise Invalid(f"cover_id {cover_id} names no media asset", field="cover_id")
    missing = await missing_asset_ids(attachment_ids)
    if missing:
        listed = ", ".join(str(asset_id) for asset_id in missing)
        raise Invalid(f"attachment_ids name no media asset: {listed}", field="attachment_ids")
