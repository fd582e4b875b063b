"""Scheduled publishing: the cron job of the embedded worker, and the job through a real Redis."""

import asyncio
import secrets
import time
from datetime import UTC, datetime, timedelta

import httpx
from arq.connections import RedisSettings, create_pool

from service.app import create_app
from service.settings import Settings
from tasks.metrics import job_count
from tasks.worker import build_worker
from tests.conftest import REDIS_URL, Staff, running
from tests.helpers import bilingual, create, publish


async def test_embedded_worker_publishes_a_scheduled_entry_within_a_minute(
    settings: Settings, client: httpx.AsyncClient, staff: Staff
) -> None:
    entry = await create(client, staff.headers("editor"), body=bilingual("დაგეგმილი", "Scheduled"))
    due = datetime.now(UTC) + timedelta(seconds=2)
    scheduled = await publish(client, staff.headers("editor"), entry["id"], at=due.isoformat())
    assert scheduled["status"] == "scheduled"

    app = create_app(settings, with_worker=True)  # a second process-like app, with its worker
    async with running(app):
        deadline = time.monotonic() + 60
        visible = False
        while time.monotonic() < deadline and not visible:
            visible = (await client.get(f"/api/v1/news/{entry['id']}")).status_code == 200
            if not visible:
                await asyncio.sleep(0.5)
    assert visible, "the scheduled entry was not public within 60 s"
    seen_at = datetime.now(UTC)
    assert seen_at - due < timedelta(seconds=60)
    public = (await client.get(f"/api/v1/news/{entry['id']}")).json()
    assert public["published_at"] == due.isoformat().replace("+00:00", "Z")
    revisions = (
        await client.get(f"/api/v1/news/{entry['id']}/revisions", headers=staff.headers("editor"))
    ).json()
    assert (revisions[0]["action"], revisions[0]["staff_name"]) == ("publish", "system")


async def test_publish_due_job_through_real_redis(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    entry = await create(client, staff.headers("editor"))
    await publish(
        client,
        staff.headers("editor"),
        entry["id"],
        at=(datetime.now(UTC) + timedelta(seconds=1)).isoformat(),
    )
    await asyncio.sleep(1.1)
    queue_name = f"scmi-test:{secrets.token_hex(4)}"
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=queue_name)
    try:
        runs_before = job_count("publish_due", "ok")
        job = await pool.enqueue_job("publish_due")
        assert job is not None
        worker = build_worker(pool, settings, burst=True, with_cron=False, handle_signals=False)
        await worker.main()
        await worker.close()
        assert await job.result(timeout=5) == 1
        assert job_count("publish_due", "ok") == runs_before + 1
    finally:
        await pool.delete(queue_name)
        await pool.aclose()
    assert (await client.get(f"/api/v1/news/{entry['id']}")).status_code == 200
