"""A feed's answer to a GET or HEAD (validators, 304, gzip): one builder for Litestar and the fast path."""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Final

from service.cached_reads import Answer
from service.feeds.cache import CachedFeed
from service.feeds.conditional import accepts_gzip, is_not_modified

CACHE_CONTROL: Final = "public, max-age=300"
CONDITION_HEADERS: Final = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since"})
_CACHE_CONTROL: Final = (b"cache-control", CACHE_CONTROL.encode("latin-1"))
_VARY: Final = (b"vary", b"Accept-Encoding")
_GZIP: Final = (b"content-encoding", b"gzip")
_UNREAD: Final = datetime(1970, 1, 1, tzinfo=UTC)  # If-None-Match wins: Last-Modified is not compared


def feed_conditions(headers: Iterable[tuple[bytes, bytes]]) -> dict[bytes, str]:
    """The request headers a feed answer depends on, from raw (lower-case) header lines."""
    found: dict[bytes, str] = {}
    for name, value in headers:
        if name in CONDITION_HEADERS:  # repeated lines are one comma-separated list (RFC 9110 §5.3)
            text = value.decode("latin-1")
            found[name] = f"{found[name]}, {text}" if name in found else text
    return found


def _content_type(feed: CachedFeed, is_head: bool) -> bytes:
    if is_head:  # the type as stored: what a HEAD always carried
        return feed.media_type.encode("latin-1")
    # Litestar gave text/* types its own `; charset=utf-8` (ours carry it already): the same bytes.
    if feed.media_type.startswith("text/"):
        return f"{feed.media_type.partition(';')[0]}; charset=utf-8".encode("latin-1")
    return feed.media_type.encode("latin-1")


def feed_answer(feed: CachedFeed, conditions: Mapping[bytes, str], *, is_head: bool = False) -> Answer:
    """The answer to a GET (or HEAD: the same headers, no body) of a feed, 304 when the reader has it."""
    zipped = accepts_gzip(conditions.get(b"accept-encoding"))
    encoded = [
        (b"etag", (feed.gzip_etag if zipped else feed.etag).encode("latin-1")),
        (b"last-modified", feed.last_modified_http.encode("latin-1")),
        _CACHE_CONTROL,
        _VARY,
    ]
    if_none_match = conditions.get(b"if-none-match")
    if if_none_match in (feed.etag, feed.gzip_etag) or is_not_modified(  # the usual revalidation, first
        if_none_match,
        conditions.get(b"if-modified-since"),
        (feed.etag, feed.gzip_etag),
        _UNREAD if if_none_match is not None else feed.last_modified_at,
    ):
        return Answer(304, encoded, b"")
    if zipped:
        encoded.append(_GZIP)
    payload = feed.gzipped if zipped else feed.body
    encoded += [(b"content-type", _content_type(feed, is_head)), (b"content-length", b"%d" % len(payload))]
    return Answer(200, encoded, b"" if is_head else payload)
