"""Real files crafted for the media tests: photos with GPS EXIF, documents, and hostile files."""

import io
import struct
import zipfile
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Tbilisi, the Secretariat's building, as a phone would record it.
GPS = {1: "N", 2: (41.0, 42.0, 55.0), 3: "E", 4: (44.0, 47.0, 13.0)}


def photo_with_gps(width: int = 2000, height: int = 1000, orientation: int = 6, fmt: str = "JPEG") -> bytes:
    """A photo whose EXIF says where it was taken and that it must be turned (6: 90° clockwise)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height // 2))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update(GPS)
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 0, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


def mp4(size: int = 4096) -> bytes:
    """An ISO base media file: an `ftyp` box, then an `mdat` box of the given size."""
    ftyp = struct.pack(">I4s4sI", 24, b"ftyp", b"mp42", 0) + b"mp42isom"
    body = bytes(range(256)) * (size // 256 + 1)
    return ftyp + struct.pack(">I4s", 8 + size, b"mdat") + body[:size]


def mp3() -> bytes:
    """An ID3v2 tag followed by MPEG-1 Layer III frames."""
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x00"
    frame = b"\xff\xfb\x90\x64" + bytes(413)
    return tag + frame * 8


def office(kind: str = "docx") -> bytes:
    """A minimal Office Open XML document of `kind` (docx, xlsx or pptx)."""
    main = {
        "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
        "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
        "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
    }[kind]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
        '2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override '
        f'PartName="/{main[0]}" ContentType="application/vnd.openxmlformats-officedocument.{main[1]}"/>'
        "</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main[0], "<document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not an office document")
    return buffer.getvalue()


HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
SHELL_SCRIPT = b"#!/bin/sh\nrm -rf --no-preserve-root /\n"


def png_bomb(side: int = 20_000) -> bytes:
    """A 1-bit PNG of side×side pixels (400 megapixels by default) that compresses to ~50 KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def animated_gif(frames: int = 3, width: int = 400, height: int = 200) -> bytes:
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30)]
    pictures = [Image.new("RGB", (width, height), colours[index % 4]) for index in range(frames)]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer, "GIF", save_all=True, append_images=pictures[1:], duration=100, loop=0, comment=b"secret"
    )
    return buffer.getvalue()
