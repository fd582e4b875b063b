"""Public feeds: RSS, Atom, JSON Feed and iCalendar, cached, with conditional GET, HEAD and gzip."""

import functools
from collections.abc import Callable
from typing import Any, Final

from litestar import Controller, HttpMethod, Request, get, route
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response.base import ASGIResponse

from content.feeds.catalogue import FeedSpec, parse_feed_name, parse_topic_feed_name
from content.syndication import FeedList, list_feeds
from core.errors import NotFound
from service.cached_reads import CACHED_READ, Answer, Reader, as_asgi_response
from service.feeds.answers import feed_answer, feed_conditions
from service.feeds.publisher import FeedPublisher

FEED_METHODS: Final = [HttpMethod.GET, HttpMethod.HEAD]


def _publisher(request: Request[Any, Any, Any]) -> FeedPublisher:
    publisher: FeedPublisher = request.app.state.feeds
    return publisher


async def _serve(request: Request[Any, Any, Any], spec: FeedSpec | None) -> ASGIResponse:
    # A ready ASGI response: feed readers poll hard, so skip Litestar's response shaping.
    if spec is None:
        raise NotFound(f"no feed at {request.url.path}")
    feed = await _publisher(request).get(spec)
    conditions = feed_conditions(request.scope["headers"])
    return as_asgi_response(feed_answer(feed, conditions, is_head=request.method == HttpMethod.HEAD))


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
        return feed_answer(feed, feed_conditions(headers.items()))

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
