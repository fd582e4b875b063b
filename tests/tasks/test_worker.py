"""The worker's cron table: the reconciler's period comes from the settings."""

import pytest
from arq.cron import CronJob

from service.settings import Settings
from tasks.queue import connect_queue
from tasks.worker import CRON_JOBS, build_worker, cron_jobs


def reconciler_seconds(jobs: list[CronJob]) -> set[int]:
    [job] = [each for each in jobs if each.name == "cron:reconcile_campaigns"]
    assert isinstance(job.second, set)
    return job.second


def test_the_reconciler_runs_every_30_s_by_default_and_as_often_as_the_settings_say() -> None:
    assert reconciler_seconds(CRON_JOBS) == {5, 35}
    assert reconciler_seconds(cron_jobs(2)) == set(range(1, 60, 2))
    assert reconciler_seconds(cron_jobs(60)) == {5}
    for wrong in (0, 61):
        with pytest.raises(ValueError, match="CAMPAIGN_RECONCILE_SECONDS"):
            cron_jobs(wrong)


async def test_a_worker_takes_the_reconciler_period_from_its_settings() -> None:
    queue = await connect_queue(None)
    try:
        fast = build_worker(queue, Settings(campaign_reconcile_seconds=10), handle_signals=False)
        plain = build_worker(queue, Settings(), handle_signals=False)
        assert reconciler_seconds(fast.cron_jobs) == {5, 15, 25, 35, 45, 55}
        assert plain.cron_jobs == CRON_JOBS
    finally:
        await queue.aclose()
