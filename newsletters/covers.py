"""Entry covers as a newsletter shows them: a rendition of mail width, absolute, sized, with alt texts."""

from typing import Any, Final
from uuid import UUID

from content.media.catalogue import assets_by_id
from content.media.schemas import AssetOut

# The content column of the default templates: 600 px less 24 px padding either side.
MAIL_WIDTH: Final = 552
# Twice the shown width looks sharp on high-density screens without weighing down the mail.
SHARP_WIDTH: Final = 2 * MAIL_WIDTH
# WebP renditions are for browsers: Outlook and older mail clients show nothing for them.
MAIL_SAFE: Final = frozenset({"image/jpeg", "image/png", "image/gif"})


def _best_source(asset: AssetOut) -> tuple[str, int, int] | None:
    """The smallest rendition at least as wide as the mail needs, else the widest one, else the file."""
    every = asset.renditions or []
    renditions = sorted([r for r in every if r.mime in MAIL_SAFE] or every, key=lambda r: r.width)
    if renditions:
        wide_enough = [r for r in renditions if r.width >= SHARP_WIDTH] or [
            r for r in renditions if r.width >= MAIL_WIDTH
        ]
        chosen = wide_enough[0] if wide_enough else renditions[-1]
        return chosen.url, chosen.width, chosen.height
    if asset.width and asset.height:
        return asset.url, asset.width, asset.height
    return None


async def mail_covers(cover_ids: dict[UUID, UUID], public_url: str) -> dict[UUID, dict[str, Any]]:
    """By entry id, the cover each entry shows in a mail: `url`, `width`, `height` (as shown), `alt`."""
    assets = await assets_by_id(cover_ids.values())
    covers: dict[UUID, dict[str, Any]] = {}
    for entry_id, asset_id in cover_ids.items():
        asset = assets.get(asset_id)
        if asset is None or asset.family != "image":
            continue
        source = _best_source(asset)
        if source is None:
            continue
        url, width, height = source
        shown = min(width, MAIL_WIDTH)
        covers[entry_id] = {
            "url": f"{public_url.rstrip('/')}{url}",
            "width": shown,
            "height": max(round(height * shown / width), 1),
            "alt": dict(asset.alt),
        }
    return covers
