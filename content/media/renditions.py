"""Making an image's renditions (the worker's job calls this with the asset id)."""

import asyncio
from uuid import UUID

from content.media.catalogue import asset_row
from content.media.images import make_renditions
from content.media.library import rendition_key
from content.media.limits import MediaLimits
from content.media.sniff import ACCEPTED
from content.media.storage import MediaStorage
from content.tables import MediaAsset
from core.db import utcnow, write_transaction


async def render_asset(asset_id: UUID, storage: MediaStorage, limits: MediaLimits) -> list[str]:
    """Make and store the renditions of an image asset; returns their names. Safe to run twice."""
    row = await asset_row(asset_id)
    if row is None or row["family"] != "image":
        return []
    media_type = ACCEPTED[row["mime"]]
    data = await storage.read_bytes(row["file_key"])
    renditions = await asyncio.to_thread(
        make_renditions, data, media_type, limits.max_pixels, limits.rendition_widths
    )
    made: list[dict[str, str | int]] = []
    for rendition in renditions:
        await storage.put_bytes(rendition_key(row["sha256"], rendition.name), rendition.data)
        made.append(
            {
                "name": rendition.name,
                "width": rendition.width,
                "height": rendition.height,
                "mime": rendition.mime,
                "size": len(rendition.data),
            }
        )
    async with write_transaction(MediaAsset):
        await MediaAsset.update({MediaAsset.renditions: made, MediaAsset.updated_at: utcnow()}).where(
            MediaAsset.id == asset_id
        )
    return [rendition.name for rendition in renditions]
