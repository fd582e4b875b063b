"""Pacing: how fast messages may go to the SMTP server, shared by every worker through Redis."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class RateLimiter(Protocol):
    """Something that waits until one more message may go to the SMTP server."""

    async def acquire(self) -> int: ...


class NoLimit:
    """No pacing."""

    async def acquire(self) -> int:
        return 0


class Counters(Protocol):
    """The part of a Redis client the shared pace uses."""

    def incr(self, name: str) -> Awaitable[Any]: ...

    def expire(self, name: str, time: int) -> Awaitable[Any]: ...


class RedisRate:
    """A messages-per-second limit shared by every worker: a counter per second in Redis.

    Every worker INCRs the current second's key; the first `per_second` callers go, the rest wait
    for the next second and try again. `clock` and `sleep` are there for tests.
    """

    def __init__(
        self,
        redis: Counters,
        key: str,
        per_second: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.redis, self.key, self.per_second = redis, key, per_second
        self.clock, self.sleep = clock, sleep

    async def acquire(self) -> int:
        """Wait for a free place; the second (Unix time) it was granted in."""
        while True:
            now = self.clock()
            second = int(now)
            slot = f"{self.key}:{second}"
            count = await self.redis.incr(slot)
            if count == 1:
                await self.redis.expire(slot, 5)
            if count <= self.per_second:
                return second
            await self.sleep(second + 1 - now)


def shared_pace(redis: Counters, host: str, port: int, per_second: float) -> RateLimiter:
    """The pace of one SMTP server (SMTP_RATE messages a second over all workers), or none for 0."""
    if not per_second:
        return NoLimit()
    return RedisRate(redis, f"scmi:smtp-rate:{host}:{port}", per_second)
