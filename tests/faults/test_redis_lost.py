"""Redis emptied (FLUSHALL) and restarted mid-campaign, twice: the reconciler carries on from the database.

The first loss comes while batches are being sent (a chain whose next job was queued is lost, one whose
batch was running carries on); the second while every chain waits in Redis for greylisted recipients'
retry time, so that no chain survives it and only the reconciler can finish the campaign.
"""

import asyncio
import time
from pathlib import Path

import redis

from content.db import utcnow
from newsletters.tables import Delivery
from tests.faults.campaign_rig import (
    RedisServer,
    Sink,
    Workers,
    add_recipients,
    campaign_status,
    fresh_postgres,
    in_flight_bound,
    private_redis_server,
    schedule_campaign,
    smtp_sink,
    tally,
    wait_until,
    worker_env,
)

PLAIN, FLAKY = 1350, 150  # 10% answered 451 on the first try, retried after RETRY seconds
RETRY = 15


async def lose_redis(server: RedisServer) -> None:
    """Every queued job, heartbeat and result gone, then the server itself away for 2 s."""
    client = redis.Redis.from_url(server.url)
    client.flushall()
    client.close()
    server.stop()
    await asyncio.sleep(2)
    server.start()


def answered(sink: Sink, event: str) -> int:
    return sum(1 for each, _, _ in sink.events() if each == event)


async def test_redis_flushed_and_restarted_mid_campaign_twice_loses_no_one(tmp_path: Path) -> None:
    addresses = [f"partner{n}@example.org" for n in range(PLAIN)] + [
        f"flaky-{n}@example.org" for n in range(FLAKY)
    ]
    async with fresh_postgres() as database_url:
        with private_redis_server(tmp_path) as redis_server, smtp_sink(tmp_path) as sink:
            await add_recipients(addresses)
            campaign_id = await schedule_campaign()
            env = worker_env(
                database_url, redis_server.url, sink.port, tmp_path, CAMPAIGN_RETRY_SECONDS=str(RETRY)
            )
            workers = Workers(env, tmp_path / "workers.log")
            started = time.monotonic()
            workers.start()
            try:

                async def under_way() -> bool:
                    return sink.accepted_count() >= PLAIN // 3

                await wait_until(under_way, workers, 60, "a third received")
                first_loss = sink.accepted_count()
                await lose_redis(redis_server)

                async def only_retries_left() -> bool:
                    return sink.accepted_count() >= PLAIN and answered(sink, "451") >= FLAKY

                await wait_until(only_retries_left, workers, 60, "everyone tried once")
                await asyncio.sleep(1)  # the last batches end; their chains wait in Redis for the retry time
                waiting = await Delivery.count().where(
                    (Delivery.status == "deferred") & (Delivery.next_attempt_at > utcnow())
                )
                assert waiting == FLAKY, "the second loss must come while every chain waits in Redis"
                await lose_redis(redis_server)

                async def sent() -> bool:
                    return await campaign_status(campaign_id) == "sent"

                await wait_until(sent, workers, RETRY + 45, "the campaign sent")
            finally:
                workers.stop_all()
            seconds = time.monotonic() - started
            result = await tally(campaign_id, sink)
    restarts = workers.started - 1
    print(
        f"[redis lost] FLUSHALL and restart after {first_loss} received and again with {FLAKY} retries "
        f"waiting; workers restarted: {restarts}"
    )
    bound = in_flight_bound(restarts)
    result.show("redis lost", seconds, bound)
    assert result.losses == []
    assert result.duplicates <= bound
    assert result.by_status == {"sent": PLAIN + FLAKY}
    assert result.sent_not_received == [] and result.received_not_sent == [] and result.wrong_message_id == []
    assert restarts == 0  # the worker waits out a Redis restart instead of dying
