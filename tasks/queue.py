"""The arq queue: Redis at REDIS_URL, or the in-process stand-in when there is none."""

from dataclasses import replace

from arq.connections import ArqRedis, RedisSettings, create_pool
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tasks.local_redis import connection_kwargs, local_server


def _patient(settings: RedisSettings) -> RedisSettings:
    """Commands wait out a Redis restart (about 30 s of retries, backing off to 2 s) instead of failing."""
    return replace(
        settings,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=20),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],  # OSError: connection refused
    )


async def connect_queue(redis_url: str | None, *, patient: bool = False) -> ArqRedis:
    """A pool to enqueue jobs on (and for workers to take them from).

    A worker's pool is `patient`: without it a Redis restart ends the worker's main loop with a
    ConnectionError. An API process's is not, so that a request fails fast while Redis is away.
    """
    if redis_url:
        settings = RedisSettings.from_dsn(redis_url)
        return await create_pool(_patient(settings) if patient else settings)
    pool = ConnectionPool(**connection_kwargs(local_server()))
    return ArqRedis(connection_pool=pool)
