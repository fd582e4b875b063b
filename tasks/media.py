"""Jobs of the media library: make an image's renditions after upload."""

from uuid import UUID

from content.media.renditions import render_asset
from tasks.context import JobContext


async def make_renditions(ctx: JobContext, asset_id: str) -> list[str]:
    """Make the renditions of one image asset; returns their names."""
    return await render_asset(UUID(asset_id), ctx["media_storage"], ctx["settings"].media_limits)
