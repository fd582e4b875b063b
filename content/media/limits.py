"""The limits and choices of the media library, handed down from the settings."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """How large an upload and an image may be, which widths to render, where uploads land first."""

    max_upload: int = 50 * 1024 * 1024
    max_pixels: int = 50_000_000
    rendition_widths: tuple[int, ...] = (320, 960, 1920)
    scratch_dir: Path = Path("var/uploads")
