"""Reading assets from the database and shaping them for answers."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from content.media.schemas import AssetOut, RenditionOut, file_url, rendition_url
from content.tables import MediaAsset
from core.db import as_utc


def shape_asset(row: dict[str, Any]) -> AssetOut:
    """An asset row as the answer shows it."""
    out = AssetOut(
        id=row["id"],
        url=file_url(row["id"]),
        mime=row["mime"],
        family=row["family"],
        size=row["size"],
        sha256=row["sha256"],
        filename=row["original_name"],
        caption=row["caption"] or {},
        alt=row["alt"] or {},
        credit=row["credit"] or {},
        licence=row["licence"],
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        width=row["width"],
        height=row["height"],
    )
    if row["family"] == "image":
        out.renditions = [
            RenditionOut(
                name=item["name"],
                url=rendition_url(row["id"], item["name"]),
                width=item["width"],
                height=item["height"],
                mime=item["mime"],
                size=item["size"],
            )
            for item in row["renditions"] or []
        ]
    return out


async def asset_row(asset_id: UUID) -> dict[str, Any] | None:
    """One asset's row, or None."""
    row: dict[str, Any] | None = (
        await MediaAsset.select().where(MediaAsset.id == asset_id).output(load_json=True).first()
    )
    return row


async def asset_row_by_sha256(sha256: str) -> dict[str, Any] | None:
    """The asset holding these bytes, or None."""
    row: dict[str, Any] | None = (
        await MediaAsset.select().where(MediaAsset.sha256 == sha256).output(load_json=True).first()
    )
    return row


async def assets_by_id(asset_ids: Iterable[UUID]) -> dict[UUID, AssetOut]:
    """The assets among these ids that exist, shaped, by id."""
    wanted = list(set(asset_ids))
    if not wanted:
        return {}
    rows = await MediaAsset.select().where(MediaAsset.id.is_in(wanted)).output(load_json=True)
    return {row["id"]: shape_asset(row) for row in rows}


async def missing_asset_ids(asset_ids: Iterable[UUID]) -> list[UUID]:
    """Those of these ids that name no asset, in the order given."""
    wanted = list(dict.fromkeys(asset_ids))
    if not wanted:
        return []
    rows = await MediaAsset.select(MediaAsset.id).where(MediaAsset.id.is_in(wanted))
    found = {row["id"] for row in rows}
    return [asset_id for asset_id in wanted if asset_id not in found]
