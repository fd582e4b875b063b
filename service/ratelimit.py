"""A fixed-window rate limit kept in Redis (the queue's connection: real Redis or the stand-in)."""

from redis.asyncio import Redis


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
