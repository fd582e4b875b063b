"""Images with Pillow: refuse bombs, apply EXIF orientation, re-encode without metadata, make renditions."""

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from PIL import Image, ImageOps, UnidentifiedImageError

from content.media.sniff import MediaType
from core.errors import Invalid, Unsupported

PILLOW_FORMATS: Final = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
# What may survive re-encoding: colour and animation facts, never EXIF, XMP, comments or text chunks.
KEPT_INFO: Final = frozenset({"icc_profile", "transparency", "duration", "loop", "background", "dpi"})
SAVE_OPTIONS: Final[dict[str, dict[str, object]]] = {
    "JPEG": {"quality": 88, "progressive": True},
    "PNG": {},
    "WEBP": {"quality": 82, "method": 4},
    "GIF": {},
}
READ_ERRORS: Final = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


@dataclass(frozen=True, slots=True)
class CleanImage:
    """An image ready to serve: its bytes without metadata, and its upright size."""

    data: bytes
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Rendition:
    """One smaller copy of an image in one format."""

    name: str
    width: int
    height: int
    mime: str
    data: bytes


def _open(source: Path | IO[bytes], media_type: MediaType, max_pixels: int) -> Image.Image:
    """Open an image after checking its declared size against the pixel limit (before decoding)."""
    expected = PILLOW_FORMATS[media_type.mime]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source, formats=[expected])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Invalid(
            f"the image has more pixels than the limit of {max_pixels:,} allows (a decompression bomb?): "
            f"{error}",
            field="file",
        ) from None
    except READ_ERRORS:
        raise Unsupported(f"the file is not a readable {media_type.label} image", field="file") from None
    frames = getattr(image, "n_frames", 1)
    width, height = image.size
    if width * height * frames > max_pixels:
        raise Invalid(
            f"the image has {width}×{height} pixels"
            + (f" in {frames} frames" if frames > 1 else "")
            + f", more than the limit of {max_pixels:,} allows (a decompression bomb?)",
            field="file",
        )
    return image


def _without_metadata(image: Image.Image) -> Image.Image:
    image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    return image


def clean_image(path: Path, media_type: MediaType, max_pixels: int) -> CleanImage:
    """Decode the image, turn it upright by its EXIF orientation, and re-encode it with no EXIF, GPS
    or XMP."""
    image = _open(path, media_type, max_pixels)
    pillow_format = PILLOW_FORMATS[media_type.mime]
    try:
        with image:
            buffer = io.BytesIO()
            if getattr(image, "n_frames", 1) > 1:
                frames = [_without_metadata(frame.copy()) for frame in _frames(image)]
                first = frames[0]
                first.save(
                    buffer,
                    pillow_format,
                    save_all=True,
                    append_images=frames[1:],
                    **_animation_info(image),
                )
                width, height = first.size
            else:
                upright = _without_metadata(ImageOps.exif_transpose(image))
                upright.save(buffer, pillow_format, exif=b"", **SAVE_OPTIONS[pillow_format])
                width, height = upright.size
    except READ_ERRORS:
        raise Unsupported(f"the file is not a readable {media_type.label} image", field="file") from None
    return CleanImage(data=buffer.getvalue(), width=width, height=height)


def _frames(image: Image.Image) -> list[Image.Image]:
    """Every frame of an animated image, decoded."""
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        frames.append(image.copy())
    return frames


def _animation_info(image: Image.Image) -> dict[str, object]:
    return {key: image.info[key] for key in ("duration", "loop") if key in image.info}


def make_renditions(
    data: bytes, media_type: MediaType, max_pixels: int, widths: tuple[int, ...]
) -> list[Rendition]:
    """Smaller copies of an image for each width narrower than it: WebP and the original format."""
    image = _open(io.BytesIO(data), media_type, max_pixels)
    renditions: list[Rendition] = []
    with image:
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in {"RGB", "RGBA", "L", "LA"}:
            has_alpha = upright.mode in {"P", "PA"} and "transparency" in upright.info
            upright = upright.convert("RGBA" if has_alpha or "A" in upright.mode else "RGB")
        for width in sorted(set(widths)):
            if width >= upright.width:
                continue
            height = max(1, round(upright.height * width / upright.width))
            small = _without_metadata(upright.resize((width, height), Image.Resampling.LANCZOS))
            formats = dict.fromkeys([("image/webp", "webp"), (media_type.mime, media_type.extension)])
            for mime, extension in formats:
                pillow_format = PILLOW_FORMATS[mime]
                picture = small.convert("RGB") if pillow_format == "JPEG" and small.mode != "RGB" else small
                buffer = io.BytesIO()
                picture.save(buffer, pillow_format, **SAVE_OPTIONS[pillow_format])
                renditions.append(
                    Rendition(
                        name=f"{width}.{extension}",
                        width=width,
                        height=height,
                        mime=mime,
                        data=buffer.getvalue(),
                    )
                )
    return renditions
