"""The shared SMTP pace: workers count messages per second in one Redis key and wait their turn."""

import secrets
from collections import Counter

from redis.asyncio import Redis

from newsletters.campaigns.pacing import RedisRate


async def test_two_workers_share_one_messages_per_second_limit(redis: Redis) -> None:
    key = f"scmi-test:{secrets.token_hex(6)}:smtp-rate"
    now = [1_700_000_000.25]

    async def sleep(seconds: float) -> None:  # time passes only when a limiter waits
        now[0] += seconds

    workers = [RedisRate(redis, key, 4, clock=lambda: now[0], sleep=sleep) for _ in range(2)]
    granted = [await workers[n % 2].acquire() for n in range(11)]
    try:
        assert Counter(granted) == {1_700_000_000: 4, 1_700_000_001: 4, 1_700_000_002: 3}
        assert granted == sorted(granted)
        assert 0 < await redis.ttl(f"{key}:1700000002") <= 5  # counters expire by themselves
    finally:
        await redis.delete(*[f"{key}:{second}" for second in set(granted)])
