"""The arq queue: Redis at REDIS_URL, or the in-process stand-in when there is none."""

from arq.connections import ArqRedis, RedisSettings, create_pool
from redis.asyncio import ConnectionPool

from tasks.local_redis import connection_kwargs, local_server


async def connect_queue(redis_url: str | None) -> ArqRedis:
    """A pool to enqueue jobs on (and for workers to take them from)."""
    if redis_url:
        return await create_pool(RedisSettings.from_dsn(redis_url))
    pool = ConnectionPool(**connection_kwargs(local_server()))
    return ArqRedis(connection_pool=pool)
