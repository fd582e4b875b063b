"""Public feeds: RSS, Atom, JSON Feed and iCalendar, cached, with conditional GET, HEAD and gzip."""

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from litestar import Controller, HttpMethod, Request, get, route
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response.base import ASGIResponse

from content.feeds.catalogue import FeedSpec, parse_feed_name, parse_topic_feed_name
from content.syndication import FeedList, list_feeds
from core.errors import NotFound
from service.cached_reads import CACHED_READ, Answer, Reader
from service.feeds.cache import CachedFeed
from service.feeds.conditional import accepts_gzip, is_not_modified
from service.feeds.publisher import FeedPublisher

CACHE_CONTROL: Final = "public, max-age=300"
FEED_METHODS: Final = [HttpMethod.GET, HttpMethod.HEAD]
_CACHE_CONTROL: Final = (b"cache-control", CACHE_CONTROL.encode("latin-1"))
_VARY: Final = (b"vary", b"Accept-Encoding")
_GZIP: Final = (b"content-encoding", b"gzip")
_UNREAD: Final = datetime(1970, 1, 1, tzinfo=UTC)
CONDITION_HEADERS: Final = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since"})


def _publisher(request: Request[Any, Any, Any]) -> FeedPublisher:
    publisher: FeedPublisher = request.app.state.feeds
    return publisher


def _media_type(feed: CachedFeed) -> str:
    # Litestar appends `; charset=utf-8` to text/* types itself.
    return feed.media_type.partition(";")[0] if feed.media_type.startswith("text/") else feed.media_type


def _conditions(request: Request[Any, Any, Any]) -> dict[bytes, str]:
    """The request headers a feed answer depends on, read straight from the ASGI scope (it is hot)."""
    found: dict[bytes, str] = {}
    for name, value in request.scope["headers"]:
        if name in CONDITION_HEADERS:  # repeated lines are one comma-separated list (RFC 9110 §5.3)
            text = value.decode("latin-1")
            found[name] = f"{found[name]}, {text}" if name in found else text
    return found


def _answer(request: Request[Any, Any, Any], feed: CachedFeed) -> ASGIResponse:
    return _feed_response(_conditions(request), request.method == HttpMethod.HEAD, feed)


def _feed_response(conditions: dict[bytes, str], is_head: bool, feed: CachedFeed) -> ASGIResponse:
    # A ready ASGI response: feed readers poll hard, so skip Litestar's response shaping.
    zipped = accepts_gzip(conditions.get(b"accept-encoding"))
    headers = {
        "ETag": feed.gzip_etag if zipped else feed.etag,
        "Last-Modified": feed.last_modified_http,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
    }
    if is_not_modified(
        conditions.get(b"if-none-match"),
        conditions.get(b"if-modified-since"),
        (feed.etag, feed.gzip_etag),
        feed.last_modified_at,
    ):
        return ASGIResponse(
            status_code=304, headers=headers, media_type=_media_type(feed), is_head_response=is_head
        )
    if zipped:
        headers["Content-Encoding"] = "gzip"
    payload = feed.gzipped if zipped else feed.body
    if is_head:  # the headers GET would send, without the body
        headers["Content-Type"] = feed.media_type
        headers["Content-Length"] = str(len(payload))
        return ASGIResponse(headers=headers, is_head_response=True)
    return ASGIResponse(body=payload, media_type=_media_type(feed), headers=headers)


async def _serve(request: Request[Any, Any, Any], spec: FeedSpec | None) -> ASGIResponse:
    if spec is None:
        raise NotFound(f"no feed at {request.url.path}")
    return _answer(request, await _publisher(request).get(spec))


def _text(headers: dict[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    return None if value is None else value.decode("latin-1")


def _fast_feed_answer(headers: dict[bytes, bytes], feed: CachedFeed) -> Answer:
    """What `_feed_response` sends to a GET, encoded as Litestar would encode it, for the fast path."""
    zipped = accepts_gzip(_text(headers, b"accept-encoding"))
    encoded = [
        (b"etag", (feed.gzip_etag if zipped else feed.etag).encode("latin-1")),
        (b"last-modified", feed.last_modified_http.encode("latin-1")),
        _CACHE_CONTROL,
        _VARY,
    ]
    if_none_match = _text(headers, b"if-none-match")
    if if_none_match in (feed.etag, feed.gzip_etag) or is_not_modified(  # the usual revalidation, first
        if_none_match,
        _text(headers, b"if-modified-since"),
        (feed.etag, feed.gzip_etag),
        _UNREAD if if_none_match is not None else feed.last_modified_at,  # If-None-Match wins
    ):
        return Answer(304, encoded, b"")
    if zipped:
        encoded.append(_GZIP)
    payload = feed.gzipped if zipped else feed.body
    media_type = _media_type(feed)
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    encoded += [(b"content-type", media_type.encode("latin-1")), (b"content-length", b"%d" % len(payload))]
    return Answer(200, encoded, payload)


def _cached_reader(parse: Callable[[str, str], FeedSpec | None]) -> Reader:
    known = functools.lru_cache(maxsize=1024)(parse)  # a pure function of two short strings

    async def read(
        state: State, params: dict[str, Any], query: bytes, headers: dict[bytes, bytes]
    ) -> Answer | None:
        """A feed this process holds, answered on the fast path (service/cached_reads.py)."""
        spec = known(params["lang"], params["name"])
        if spec is None:
            return None
        feed = await state.feeds.peek(spec)
        if feed is None:
            return None
        return _fast_feed_answer(headers, feed)

    return read


class FeedController(Controller):
    """`/feeds/{lang}/...`: every public feed."""

    path = "/feeds"
    tags = ["feeds"]

    @route(
        "/{lang:str}/{name:str}",
        http_method=FEED_METHODS,
        exclude_from_auth=True,  # public and polled hard: no token lookup
        opt={CACHED_READ: _cached_reader(parse_feed_name)},
        summary="A feed of a kind, of everything, the events calendar or the newsletter archive",
        description="`{kind}.rss|.atom|.json` (kind: news, events, announcements, materials, all), "
        "`events.ics`, `newsletters.rss`. Answers carry ETag, Last-Modified and Cache-Control; a "
        "conditional GET gets 304; gzip when asked.",
    )
    async def feed(
        self, request: Request[Any, Any, Any], lang: FromPath[str], name: FromPath[str]
    ) -> ASGIResponse:
        return await _serve(request, parse_feed_name(lang, name))

    @route(
        "/{lang:str}/topics/{name:str}",
        http_method=FEED_METHODS,
        exclude_from_auth=True,  # public and polled hard: no token lookup
        opt={CACHED_READ: _cached_reader(parse_topic_feed_name)},
        summary="A feed of one thematic direction",
        description="`{topic}.rss|.atom|.json`.",
    )
    async def topic_feed(
        self, request: Request[Any, Any, Any], lang: FromPath[str], name: FromPath[str]
    ) -> ASGIResponse:
        return await _serve(request, parse_topic_feed_name(lang, name))


@get("/api/v1/feeds", tags=["feeds"], summary="Every feed, with its title in each language")
async def feed_index(request: Request[Any, Any, Any]) -> FeedList:
    return await list_feeds(_publisher(request).site)
