"""The render cache of feeds: bytes kept per content version, in memory and (when set) in Redis.

A feed's bytes depend only on the content, whose version the app's one `ContentWatch`
(service/content_watch.py) follows, so any write (by any API process or worker) shows as that watch
says; several processes share renders through Redis (one key per feed, holding the version it was
rendered for, so Redis memory stays bounded however often content changes). Redis holds caches
only: when it fails, feeds are rendered afresh.
"""

import asyncio
import gzip
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Final

import msgspec
from prometheus_client import Counter
from redis.asyncio import Redis

from content.feeds.catalogue import FeedSpec
from content.syndication import RenderedFeed
from service.answer_memory import AnswerMemory
from service.content_watch import ContentWatch
from service.feeds.conditional import http_date

logger = logging.getLogger("scmi.feeds")
REDIS_TTL_SECONDS: Final = 24 * 3600  # feeds nobody asks for leave Redis after a day
DEFAULT_BUDGET: Final = 32 << 20  # bytes of feeds (plain and gzipped) per process
# hit: served from this process's memory; shared: another process's render from Redis; miss: rendered here.
FEED_CACHE: Final = Counter(
    "scmi_feed_cache_total", "Feed requests by where their bytes came from", ["outcome"]
)

_HITS: Final = FEED_CACHE.labels(outcome="hit")


class CachedFeed(msgspec.Struct, frozen=True):
    """A rendered feed ready to serve: plain and gzipped bytes, their validators and type."""

    body: bytes
    gzipped: bytes
    media_type: str
    etag: str
    gzip_etag: str
    last_modified: float
    last_modified_http: str

    @property
    def last_modified_at(self) -> datetime:
        """Last-Modified as an aware datetime."""
        return datetime.fromtimestamp(self.last_modified, UTC)


class SharedRender(msgspec.Struct, frozen=True):
    """A render in Redis, with the content version it was made for."""

    version: str
    feed: CachedFeed


def prepare(rendered: RenderedFeed) -> CachedFeed:
    """Compress once and compute strong validators; gzip with mtime 0 so equal input gives equal bytes."""
    digest = hashlib.blake2b(rendered.body, digest_size=16).hexdigest()
    return CachedFeed(
        body=rendered.body,
        gzipped=gzip.compress(rendered.body, compresslevel=6, mtime=0),
        media_type=rendered.media_type,
        etag=f'"{digest}"',
        gzip_etag=f'"{digest}-gzip"',
        last_modified=rendered.last_modified.timestamp(),
        last_modified_http=http_date(rendered.last_modified),
    )


def _feed_size(held: tuple[str, CachedFeed]) -> int:
    return len(held[1].body) + len(held[1].gzipped)


class FeedCache:
    """Rendered feeds by path for the current content version."""

    def __init__(
        self,
        render: Callable[[FeedSpec], Awaitable[RenderedFeed]],
        watch: ContentWatch,
        *,
        redis: Redis | None = None,
        prefix: str = "scmi:feeds:",
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        self._render = render
        self.watch = watch
        self._redis = redis
        self._prefix = prefix
        self._memory: AnswerMemory[tuple[str, CachedFeed]] = AnswerMemory(budget, _feed_size)
        self._rendering: dict[tuple[str, str], asyncio.Lock] = {}
        self.renders = 0  # how many times this process rendered a feed (for tests and metrics)

    async def peek(self, spec: FeedSpec) -> CachedFeed | None:
        """The feed's bytes for the current version if this process holds them, else None."""
        version = await self.watch.version()
        held = self._memory.get(spec.path)
        if held is not None and held[0] == version:
            _HITS.inc()
            return held[1]
        return None

    async def get(self, spec: FeedSpec) -> CachedFeed:
        """The feed's bytes for the current version: from memory, else Redis, else rendered once."""
        version = await self.watch.version()
        path = spec.path
        held = self._memory.get(path)
        if held is not None and held[0] == version:
            _HITS.inc()
            return held[1]
        lock = self._rendering.setdefault((version, path), asyncio.Lock())
        try:
            async with lock:  # one render per feed and version in this process, however many ask
                held = self._memory.get(path)
                if held is not None and held[0] == version:
                    _HITS.inc()
                    return held[1]
                feed = await self._from_redis(version, path)
                FEED_CACHE.labels(outcome="miss" if feed is None else "shared").inc()
                if feed is None:
                    feed = prepare(await self._render(spec))
                    self.renders += 1
                    await self._to_redis(version, path, feed)
                self._memory.put(path, (version, feed))
                return feed
        finally:
            if not lock.locked():
                self._rendering.pop((version, path), None)

    def redis_key(self, path: str) -> str:
        """Where a feed's latest render is shared in Redis: one key per feed, so memory stays bounded."""
        return f"{self._prefix}{path}"

    async def _from_redis(self, version: str, path: str) -> CachedFeed | None:
        if self._redis is None:
            return None
        try:
            raw = await self._redis.get(self.redis_key(path))
            shared = msgspec.msgpack.decode(raw, type=SharedRender) if raw else None
        except Exception:  # a cache, not a store: render instead
            logger.warning("feed cache: Redis read failed", exc_info=True)
            return None
        return shared.feed if shared is not None and shared.version == version else None

    async def _to_redis(self, version: str, path: str, feed: CachedFeed) -> None:
        if self._redis is None:
            return
        try:
            encoded = msgspec.msgpack.encode(SharedRender(version=version, feed=feed))
            await self._redis.set(self.redis_key(path), encoded, ex=REDIS_TTL_SECONDS)
        except Exception:
            logger.warning("feed cache: Redis write failed", exc_info=True)
