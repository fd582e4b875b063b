"""The arq queue: Redis at REDIS_URL, or the in-process stand-in when there is none."""

from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.jobs import Job
from redis.asyncio import ConnectionPool

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


async def connect_queue(redis_url: str | None) -> JobQueue:
    """A pool to enqueue jobs on (and for workers to take them from)."""
    if redis_url:
        # arq's create_pool connects (with its retries and TLS options); the queue shares its connections.
        pool = await create_pool(RedisSettings.from_dsn(redis_url))
        return JobQueue(connection_pool=pool.connection_pool)
    return JobQueue(connection_pool=ConnectionPool(**connection_kwargs(local_server())))
