"""Real `scmi worker` processes killed with SIGKILL five times mid-campaign: nobody lost, duplicates bounded."""

import random
import time
from pathlib import Path

from tests.faults.campaign_rig import (
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

RECIPIENTS = 5000
KILLS = 5


async def test_a_worker_killed_five_times_loses_no_one_and_duplicates_stay_within_the_in_flight_bound(
    tmp_path: Path,
) -> None:
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    # Kill points spread over the campaign: after N received mails, N random in each fifth.
    share = RECIPIENTS // (KILLS + 1)
    kill_points = [share * n + chance.randrange(share // 2) for n in range(1, KILLS + 1)]
    async with fresh_postgres() as database_url:
        with private_redis_server(tmp_path) as redis_server, smtp_sink(tmp_path) as sink:
            await add_recipients([f"partner{n}@example.org" for n in range(RECIPIENTS)])
            campaign_id = await schedule_campaign()
            workers = Workers(
                worker_env(database_url, redis_server.url, sink.port, tmp_path), tmp_path / "workers.log"
            )
            started = time.monotonic()
            worker = workers.start()
            try:
                for point in kill_points:

                    async def far_enough(point: int = point) -> bool:
                        return sink.accepted_count() >= point

                    await wait_until(far_enough, workers, 120, f"{point} mails received")
                    workers.kill(worker)
                    worker = workers.start()  # a supervisor restarts it at once

                async def sent() -> bool:
                    return await campaign_status(campaign_id) == "sent"

                await wait_until(sent, workers, 180, "the campaign sent")
            finally:
                workers.stop_all()
            seconds = time.monotonic() - started
            result = await tally(campaign_id, sink)
    bound = in_flight_bound(KILLS)
    print(f"[worker killed] seed {seed}, SIGKILL after {kill_points} mails received")
    result.show("worker killed", seconds, bound)
    assert result.recipients == RECIPIENTS
    assert result.losses == []
    assert result.duplicates <= bound
    assert result.sent_not_received == [] and result.received_not_sent == []
    assert result.wrong_message_id == []
    assert result.by_status == {"sent": RECIPIENTS}
    assert workers.started == KILLS + 1
