"""Decide a file's type by its bytes (libmagic, and the inner structure of Office ZIP containers)."""

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import magic

from core.errors import Unsupported

DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX: Final = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True, slots=True)
class MediaType:
    """An accepted type: its MIME type, family, stored extension and the extensions a name may carry."""

    mime: str
    family: str  # image, document, video, audio
    extension: str
    extensions: frozenset[str]
    label: str


ACCEPTED: Final[dict[str, MediaType]] = {
    media_type.mime: media_type
    for media_type in (
        MediaType("image/jpeg", "image", "jpg", frozenset({"jpg", "jpeg", "jpe", "jfif"}), "JPEG"),
        MediaType("image/png", "image", "png", frozenset({"png"}), "PNG"),
        MediaType("image/webp", "image", "webp", frozenset({"webp"}), "WebP"),
        MediaType("image/gif", "image", "gif", frozenset({"gif"}), "GIF"),
        MediaType("application/pdf", "document", "pdf", frozenset({"pdf"}), "PDF"),
        MediaType("video/mp4", "video", "mp4", frozenset({"mp4", "m4v"}), "MP4"),
        MediaType("audio/mpeg", "audio", "mp3", frozenset({"mp3"}), "MP3"),
        MediaType(DOCX, "document", "docx", frozenset({"docx"}), "Word (DOCX)"),
        MediaType(XLSX, "document", "xlsx", frozenset({"xlsx"}), "Excel (XLSX)"),
        MediaType(PPTX, "document", "pptx", frozenset({"pptx"}), "PowerPoint (PPTX)"),
    )
}
ACCEPTED_LABELS: Final = ", ".join(media_type.label for media_type in ACCEPTED.values())

# An Office Open XML file is a ZIP whose [Content_Types].xml declares this main part, found at this name.
OFFICE_MAIN_PARTS: Final = {
    DOCX: ("word/document.xml", "wordprocessingml.document.main+xml"),
    XLSX: ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    PPTX: ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}
ZIP_LIKE: Final = frozenset({"application/zip", "application/octet-stream", DOCX, XLSX, PPTX})
CONTENT_TYPES_LIMIT: Final = 1024 * 1024


def detect(path: Path, filename: str) -> MediaType:
    """The accepted type of the file at `path`, or Unsupported with the reason.

    The client's name and Content-Type play no part, except that a name's extension must agree.
    """
    mime = magic.from_file(str(path), mime=True)
    if mime in ZIP_LIKE and zipfile.is_zipfile(path):
        mime = _office_type(path)
    media_type = ACCEPTED.get(mime)
    if media_type is None:
        description = magic.from_file(str(path))
        raise Unsupported(
            f"the file's bytes are {mime} ({description}), which the media library does not accept; "
            f"accepted types: {ACCEPTED_LABELS}",
            field="file",
        )
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if extension and extension not in media_type.extensions:
        raise Unsupported(
            f"the file's bytes are {media_type.label} ({media_type.mime}) but its name ends in "
            f".{extension}; rename it to .{media_type.extension} if it is what you meant",
            field="file",
        )
    return media_type


def _office_type(path: Path) -> str:
    """Which Office document a ZIP is, by its parts; a plain or unknown ZIP stays application/zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return "application/zip"
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_LIMIT:
                return "application/zip"
            declared = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return "application/zip"
    for mime, (part, content_type) in OFFICE_MAIN_PARTS.items():
        if part in names and content_type in declared:
            return mime
    return "application/zip"
