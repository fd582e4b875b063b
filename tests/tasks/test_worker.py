"""The worker: its cron table (the reconciler's period from the settings) and the context start-up builds once."""

from datetime import timedelta
from pathlib import Path

import pytest
from arq.cron import CronJob

from newsletters.campaigns.pacing import RedisRate
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


async def test_a_worker_reads_the_mail_settings_and_the_dkim_key_once_at_start_up(tmp_path: Path) -> None:
    key = tmp_path / "dkim.pem"
    key.write_bytes(b"the key's bytes")  # read at start-up, parsed only when a message is signed
    settings = Settings(
        data_dir=tmp_path / "data",
        smtp_url="smtp://mail.example.ge:587",
        smtp_rate=5,
        dkim_domain="newsroom.test",
        dkim_private_key_file=str(key),
        campaign_lease_seconds=90,
    )
    queue = await connect_queue(None)
    try:
        worker = build_worker(queue, settings, burst=True, with_cron=False, handle_signals=False)
        await worker.main()  # an empty queue: the worker starts up, finds nothing and stops
        await worker.close()
    finally:
        await queue.aclose()
    key.unlink()  # no job reads the file again: the key is in the context
    ctx = worker.ctx
    assert ctx["settings"] is settings
    assert ctx["sending"].dkim is not None and ctx["sending"].dkim.private_key_pem == b"the key's bytes"
    assert ctx["sending"].lease == timedelta(seconds=90) and ctx["sending"].connections == 2
    assert ctx["mail"].smtp is not None and (ctx["mail"].smtp.host, ctx["mail"].smtp.port) == (
        "mail.example.ge",
        587,
    )
    assert isinstance(ctx["pace"], RedisRate) and ctx["pace"].key == "scmi:smtp-rate:mail.example.ge:587"
    assert ctx["media_storage"] is not None
