"""Public media files kept in memory: whole answers, byte ranges and 304s without the database or storage.

A cover's renditions are asked for by every page that shows the entry, often with `Range`. Served
through Litestar each request looked the asset up (a query), checked that a published entry uses
it (two more), asked storage for the size and streamed the bytes: about 3 ms. The bytes of a file
or rendition never change (they are stored under the content's hash), and whether the public may
see one changes only with the content version, so here a public file is kept by asset and
rendition until the content version moves, and every later request (on the fast path too,
service/cached_reads.py) is answered from memory. Text types are left to the usual path
(Litestar's charset rule), as are ranges it answers 416 and files over LARGEST_FILE.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from content.media.access import ServedFile
from service.answer_memory import AnswerMemory
from service.cached_reads import Answer
from service.content_watch import ContentWatch
from service.files import YEAR, content_disposition
from service.ranges import RangeNotSatisfiable, parse_range

# On top of CACHE_MEMORY_MB: a cover's file and renditions are a few hundred kilobytes.
MEDIA_BUDGET: Final = 16 << 20
LARGEST_FILE: Final = 2 << 20  # bigger files are streamed from storage each time


@dataclass(frozen=True, slots=True)
class KeptFile:
    """A public file's bytes and the headers every answer about it carries."""

    body: bytes
    etag: str
    mime: bytes
    headers: tuple[tuple[bytes, bytes], ...]


def keepable(served: ServedFile, size: int) -> bool:
    """Whether this file may be kept: public, small enough, and not a text type."""
    return served.public and size <= LARGEST_FILE and not served.mime.startswith("text/")


def kept_file(served: ServedFile, body: bytes) -> KeptFile:
    """The file's bytes with the headers service/files.py's `send_file` sends for it."""
    headers = (
        (b"etag", served.etag.encode("latin-1")),
        (b"cache-control", f"public, max-age={YEAR}, immutable".encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        (b"accept-ranges", b"bytes"),
        (b"content-disposition", content_disposition(served.filename, download=served.download).encode()),
    )
    return KeptFile(body, served.etag, served.mime.encode("latin-1"), headers)


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    return header.strip() == "*" or etag in {tag.strip().removeprefix("W/") for tag in header.split(",")}


def file_answer(
    kept: KeptFile, if_none_match: str | None, range_header: str | None, if_range: str | None
) -> Answer | None:
    """200, 206 or 304 for a kept file, as `send_file` answers; None for a range it answers 416."""
    if _matches(if_none_match, kept.etag):
        return Answer(304, list(kept.headers), b"")
    if if_range is not None and if_range.strip() != kept.etag:
        range_header = None
    size = len(kept.body)
    try:
        wanted = parse_range(range_header, size)
    except RangeNotSatisfiable:
        return None
    content_type = (b"content-type", kept.mime)
    if wanted is None:
        return Answer(200, [*kept.headers, (b"content-length", b"%d" % size), content_type], kept.body)
    first, last = wanted
    return Answer(
        206,
        [
            *kept.headers,
            (b"content-range", b"bytes %d-%d/%d" % (first, last, size)),
            (b"content-length", b"%d" % (last - first + 1)),
            content_type,
        ],
        kept.body[first : last + 1],
    )


def _size(kept: KeptFile) -> int:
    return len(kept.body)


class MediaFiles:
    """Public files by (asset, rendition) for the current content version, within MEDIA_BUDGET bytes."""

    def __init__(self, watch: ContentWatch, budget: int = MEDIA_BUDGET) -> None:
        self.watch = watch
        self._version: str | None = None
        self._files = AnswerMemory(budget, _size)
        self.loads = 0  # how many files this process read from storage to keep (for tests)

    async def peek(self, key: tuple[UUID, str | None]) -> KeptFile | None:
        """The file kept for `key` at the current content version, or None."""
        if await self.watch.version() != self._version:
            return None
        return self._files.get(key)

    async def get(
        self, key: tuple[UUID, str | None], load: Callable[[], Awaitable[KeptFile | None]]
    ) -> KeptFile | None:
        """The kept file, or the one `load` reads (kept when it gives one); None: not keepable."""
        version = await self.watch.version()
        if version != self._version:
            self._files.clear()
            self._version = version
        found = self._files.get(key)
        if found is not None:
            return found
        loaded = await load()
        if loaded is not None:
            self.loads += 1
            if self._version == version:
                self._files.put(key, loaded)
        return loaded


def request_conditions(headers: dict[bytes, bytes]) -> tuple[str | None, str | None, str | None]:
    """If-None-Match, Range and If-Range from the fast path's raw request headers (lower-case names)."""

    def text(name: bytes) -> str | None:
        value = headers.get(name)
        return None if value is None else value.decode("latin-1")

    return text(b"if-none-match"), text(b"range"), text(b"if-range")
