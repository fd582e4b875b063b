"""The arq queue: Redis at REDIS_URL, or the in-process stand-in when there is none."""

from dataclasses import replace
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.jobs import Job
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tasks.local_redis import connection_kwargs, local_server
from tasks.request_ids import REQUEST_ID_KWARG, request_id_var


class JobQueue(ArqRedis):
    """An arq pool whose jobs carry the id of the request (or job) that enqueued them."""

    async def enqueue_job(self, function: str, *args: Any, **kwargs: Any) -> Job | None:
        """Enqueue as arq does (deterministic `_job_id`s included), adding the current request id."""
        request_id = request_id_var.get()
        if request_id:
            kwargs.setdefault(REQUEST_ID_KWARG, request_id)
        return await super().enqueue_job(function, *args, **kwargs)

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        """Close the queue with its connections: each queue owns the pool it was made with."""
        await super().aclose(close_connection_pool=close_connection_pool is not False)


def _patient(settings: RedisSettings) -> RedisSettings:
    """Commands wait out a Redis restart (about 30 s of retries, backing off to 2 s) instead of failing."""
    return replace(
        settings,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=20),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],  # OSError: connection refused
    )


async def connect_queue(redis_url: str | None, *, patient: bool = False) -> JobQueue:
    """A pool to enqueue jobs on (and for workers to take them from).

    A worker's pool is `patient`: without it a Redis restart ends the worker's main loop with a
    ConnectionError. An API process's is not, so that a request fails fast while Redis is away.
    """
    if redis_url:
        # arq's create_pool connects (with its retries and TLS options); the queue shares its connections.
        pool = await create_pool(
            _patient(RedisSettings.from_dsn(redis_url)) if patient else RedisSettings.from_dsn(redis_url)
        )
        return JobQueue(connection_pool=pool.connection_pool)
    return JobQueue(connection_pool=ConnectionPool(**connection_kwargs(local_server())))
