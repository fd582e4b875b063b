"""The shapes of media assets in answers and edits."""

from datetime import datetime
from typing import Annotated, Final
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType

from content.languages import Lang

MEDIA_PATH: Final = "/api/v1/media"

Caption = Annotated[str, Meta(max_length=2_000)]
Credit = Annotated[str, Meta(max_length=300)]
Licence = Annotated[str, Meta(max_length=100)]


class RenditionOut(Struct):
    """A smaller copy of an image."""

    name: str
    url: str
    width: int
    height: int
    mime: str
    size: int


class AssetOut(Struct, omit_defaults=True):
    """A media asset: where to fetch it, what it is, and its press metadata per language."""

    id: UUID
    url: str
    mime: str
    family: str
    size: int
    sha256: str
    filename: str
    caption: dict[str, str]
    alt: dict[str, str]
    credit: dict[str, str]
    licence: str
    created_at: datetime
    width: int | None = None
    height: int | None = None
    renditions: list[RenditionOut] | UnsetType = UNSET


class AssetPatch(Struct, forbid_unknown_fields=True):
    """A change to an asset's metadata: each language given replaces that language; "" removes it."""

    caption: dict[Lang, Caption] | UnsetType = UNSET
    alt: dict[Lang, Caption] | UnsetType = UNSET
    credit: dict[Lang, Credit] | UnsetType = UNSET
    licence: Licence | UnsetType = UNSET


def file_url(asset_id: UUID) -> str:
    """Where the asset's file is served."""
    return f"{MEDIA_PATH}/{asset_id}/file"


def rendition_url(asset_id: UUID, name: str) -> str:
    """Where one rendition of the asset is served."""
    return f"{MEDIA_PATH}/{asset_id}/renditions/{name}"


class AssetPage(Struct):
    """One page of the media library, with the cursor of the next page (null on the last)."""

    items: list[AssetOut]
    next_cursor: str | None
