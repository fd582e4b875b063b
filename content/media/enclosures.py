"""Covers as feed enclosures: the served file's absolute URL, its length and its type."""

from collections.abc import Awaitable, Callable
from uuid import UUID

from content.feeds.model import Enclosure
from content.media.catalogue import assets_by_id


def cover_lookup(public_url: str) -> Callable[[list[UUID]], Awaitable[dict[UUID, Enclosure]]]:
    """A lookup from cover asset ids to enclosures, with URLs under `public_url`."""
    base = public_url.rstrip("/")

    async def lookup(asset_ids: list[UUID]) -> dict[UUID, Enclosure]:
        assets = await assets_by_id(asset_ids)
        return {
            asset_id: Enclosure(url=f"{base}{asset.url}", length=asset.size, mime=asset.mime)
            for asset_id, asset in assets.items()
        }

    return lookup
