"""Send a stored file: Content-Type, nosniff, disposition, immutable caching, ETag and byte ranges."""

from typing import Any, Final
from urllib.parse import quote

from litestar import Request, Response
from litestar.response import Stream

from content.media.access import ServedFile
from content.media.storage import MediaStorage
from core.errors import NotFound
from service.errors import problem
from service.ranges import RangeNotSatisfiable, parse_range

YEAR: Final = 365 * 24 * 3600


def content_disposition(filename: str, *, download: bool) -> str:
    """`attachment` or `inline`, with an ASCII fallback name and the exact UTF-8 one (RFC 6266/5987)."""
    fallback = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\' else "_" for char in filename
    )
    kind = "attachment" if download else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    return header.strip() == "*" or etag in {tag.strip().removeprefix("W/") for tag in header.split(",")}


async def send_file(
    request: Request[Any, Any, Any], storage: MediaStorage, served: ServedFile
) -> Response[Any] | Stream:
    """The file's bytes (whole, or the one range asked for), or 304 / 416."""
    headers = {
        "ETag": served.etag,
        "Cache-Control": f"{'public' if served.public else 'private'}, max-age={YEAR}, immutable",
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(served.filename, download=served.download),
    }
    if _matches(request.headers.get("if-none-match"), served.etag):
        return Response(content=b"", status_code=304, headers=headers)
    size = await storage.size(served.key)
    if size is None:
        raise NotFound("the asset's file is missing from storage")
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != served.etag:
        range_header = None
    try:
        wanted = parse_range(range_header, size)
    except RangeNotSatisfiable:
        return problem(
            416,
            f"the range {range_header!r} lies outside the file's {size} bytes",
            request=request,
            headers={"Content-Range": f"bytes */{size}", "X-Content-Type-Options": "nosniff"},
        )
    if wanted is None:
        found = await storage.read(served.key)
        return Stream(
            content=found.chunks,
            status_code=200,
            media_type=served.mime,
            headers={**headers, "Content-Length": str(size)},
        )
    first, last = wanted
    found = await storage.read(served.key, first, last + 1)
    return Stream(
        content=found.chunks,
        status_code=206,
        media_type=served.mime,
        headers={
            **headers,
            "Content-Range": f"bytes {first}-{last}/{size}",
            "Content-Length": str(last - first + 1),
        },
    )
