"""Jobs of the media library: make an image's renditions after upload."""

from typing import Any, Final
from uuid import UUID

from arq.connections import ArqRedis

from content.media.library import Enqueue
from content.media.renditions import render_asset
from content.media.storage import MediaStorage, open_storage

RENDITIONS_JOB: Final = "make_renditions"


def media_storage(ctx: dict[str, Any]) -> MediaStorage:
    """The worker's storage: the one the app shares in `ctx`, else one opened from the settings."""
    storage: MediaStorage | None = ctx.get("media_storage")
    if storage is None:
        storage = ctx["media_storage"] = open_storage(ctx["settings"].media_storage)
    return storage


async def make_renditions(ctx: dict[str, Any], asset_id: str) -> list[str]:
    """Make the renditions of one image asset; returns their names."""
    return await render_asset(UUID(asset_id), media_storage(ctx), ctx["settings"].media_limits)


def renditions_enqueuer(queue: ArqRedis) -> Enqueue:
    """A callable that queues the renditions job of an asset (once per asset while its result is kept)."""

    async def enqueue(asset_id: UUID) -> None:
        await queue.enqueue_job(RENDITIONS_JOB, str(asset_id), _job_id=f"{RENDITIONS_JOB}:{asset_id}")

    return enqueue
