"""Redis emptied (FLUSHALL) and restarted mid-campaign, twice: the reconciler carries on from the database.

The first loss comes while batches are being sent (a chain whose next job was queued is lost, one whose
batch was running carries on); the second while every chain waits in Redis for the retry time of
greylisted recipients (451 on the first try), so that no chain survives it and only the reconciler,
reading the database, can finish the campaign.
"""

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import redis

from core.db import utcnow
from newsletters.tables import Delivery
from tests.faults.campaign_rig import (
    RedisServer,
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

PLAIN, FLAKY = 900, 100  # 10% answered 451 on the first try, retried after RETRY seconds
RETRY = 20  # longer than the first pass over everyone, so that the chains park waiting for it


async def lose_redis(server: RedisServer) -> None:
    """Every queued job, heartbeat and result gone, then the server itself away for 2 s."""
    client = redis.Redis.from_url(server.url)
    client.flushall()
    client.close()
    server.stop()
    await asyncio.sleep(2)
    server.start()


async def idle(campaign_id: UUID) -> bool:
    """Nothing to send now: no row pending or claimed, and none due within the next 4 s."""
    soon = utcnow() + timedelta(seconds=4)
    busy = await Delivery.count().where(
        (Delivery.campaign == campaign_id)
        & (Delivery.status.is_in(["pending", "claimed"]) | ((Delivery.status == "deferred")
           & (Delivery.next_attempt_at <= soon)))
    )  # fmt: skip
    return busy == 0


async def parked(campaign_id: UUID) -> bool:
    """Idle for a second, with retries waiting: every chain sits in Redis as a deferred job."""
    if not await idle(campaign_id):
        return False
    await asyncio.sleep(1)
    return await idle(campaign_id) and bool(
        await Delivery.count().where((Delivery.campaign == campaign_id) & (Delivery.status == "deferred"))
    )


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

                await wait_until(lambda: parked(campaign_id), workers, 60, "every chain waiting for retries")
                waiting = await Delivery.count().where(
                    (Delivery.campaign == campaign_id) & (Delivery.status == "deferred")
                )
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
        f"[redis lost] FLUSHALL and restart after {first_loss} received and again with {waiting} retries "
        f"waiting; workers restarted: {restarts}"
    )
    bound = in_flight_bound(restarts)
    result.show("redis lost", seconds, bound)
    assert result.losses == []
    assert result.duplicates <= bound
    assert result.by_status == {"sent": PLAIN + FLAKY}
    assert result.sent_not_received == [] and result.received_not_sent == [] and result.wrong_message_id == []
    assert restarts == 0  # the worker waits out a Redis restart instead of dying
