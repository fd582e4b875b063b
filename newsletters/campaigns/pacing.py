"""Pacing: how fast messages may go to the SMTP server, shared by every worker through Redis."""

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class RateLimiter(Protocol):
    """Something that waits until one more message may go to the SMTP server."""

    per_second: float  # math.inf when there is no limit

    async def acquire(self) -> int: ...


class NoLimit:
    """No pacing."""

    per_second = math.inf

    async def acquire(self) -> int:
        return 0


class Counters(Protocol):
    """The part of a Redis client the shared pace uses."""

    def incr(self, name: str) -> Awaitable[Any]: ...

    def expire(self, name: str, time: int) -> Awaitable[Any]: ...

    def set(self, name: str, value: str, *, nx: bool = ..., px: int | None = ...) -> Awaitable[Any]: ...

    def pttl(self, name: str) -> Awaitable[Any]: ...


class RedisRate:
    """A messages-per-second limit shared by every worker, in Redis.

    One message a second or more: a counter per window of ceil(rate)/rate seconds (one second for a
    whole number); the first ceil(rate) callers of a window go, the rest wait for the next window.
    Below one a second: a key that lives 1/rate seconds; whoever sets it goes, the others wait for it
    to lapse, so messages are at least 1/rate seconds apart (a window's counter would let the first
    two go almost together). `clock` and `sleep` are there for tests.
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
        if not (math.isfinite(per_second) and per_second > 0):
            raise ValueError(f"a rate is a positive number of messages a second, not {per_second!r}")
        self.redis, self.key, self.per_second = redis, key, per_second
        self.clock, self.sleep = clock, sleep
        self.window_size = math.ceil(per_second)
        # Whole milliseconds: a window's end computed in floats can fall a hair short of the next window.
        self.window_ms = max(round(1000 * self.window_size / per_second), 1)

    async def acquire(self) -> int:
        """Wait for a free place; the window (Unix time over the window's length) it was granted in."""
        if self.per_second < 1:
            return await self._acquire_spaced()
        while True:
            now_ms = int(self.clock() * 1000)
            window = now_ms // self.window_ms
            slot = f"{self.key}:{window}"
            count = await self.redis.incr(slot)
            if count == 1:
                await self.redis.expire(slot, math.ceil(self.window_ms / 1000) + 4)
            if count <= self.window_size:
                return window
            await self.sleep(((window + 1) * self.window_ms - now_ms) / 1000)

    async def _acquire_spaced(self) -> int:
        gap_ms = math.ceil(1000 / self.per_second)
        while True:
            if await self.redis.set(f"{self.key}:gap", "1", nx=True, px=gap_ms):
                return int(self.clock())
            left_ms = await self.redis.pttl(f"{self.key}:gap")
            # -2: it lapsed meanwhile; -1 cannot happen (the key is always set with an expiry).
            await self.sleep(max(int(left_ms), 1) / 1000)


def shared_pace(redis: Counters, host: str, port: int, per_second: float) -> RateLimiter:
    """The pace of one SMTP server (SMTP_RATE messages a second over all workers), or none for 0."""
    if not per_second:
        return NoLimit()
    return RedisRate(redis, f"scmi:smtp-rate:{host}:{port}", per_second)
