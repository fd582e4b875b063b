"""Fixed-window rate limits kept in Redis (the queue's connection: real Redis or the stand-in)."""

from collections.abc import Callable, Coroutine
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from redis.asyncio import Redis

from service.client_address import peer_address


async def retry_after(redis: Redis, key: str, *, limit: int, window: int) -> int | None:
    """Count one hit on `key`; None while within `limit` per `window` seconds, else seconds to wait."""
    count = await redis.incr(key)
    if count == 1:
        await redis.expire(key, window)
    if count <= limit:
        return None
    ttl = await redis.ttl(key)
    if ttl < 0:  # a key left without expiry (a crash between INCR and EXPIRE) must not block for ever
        await redis.expire(key, window)
        ttl = window
    return max(int(ttl), 1)


RateGuard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Coroutine[Any, Any, None]]


def rate_limited(bucket: str, limits: Callable[[Any], tuple[int, int]], detail: str) -> RateGuard:
    """A guard allowing each client address `limit` requests per `window` seconds (from the settings).

    Beyond it the answer is 429 problem+json with Retry-After. Every public write uses one.
    """

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        limit, window = limits(connection.app.state.settings)
        client = peer_address(connection)
        wait = await retry_after(
            connection.app.state.queue, f"scmi:ratelimit:{bucket}:{client}", limit=limit, window=window
        )
        if wait is not None:
            raise HTTPException(status_code=429, detail=detail, headers={"Retry-After": str(wait)})

    return guard
