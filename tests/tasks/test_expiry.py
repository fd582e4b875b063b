"""Expiry: `unpublish_at` takes a published entry off every public place by the worker's cron job."""

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import httpx
from arq.connections import RedisSettings, create_pool

from content.publishing import unpublish_due_entries
from service.settings import Settings
from tasks.worker import build_worker
from tests.conftest import REDIS_URL, Staff
from tests.helpers import bilingual, create


async def _run_publish_due(settings: Settings) -> int:
    """The cron's job, run once by a real worker through a real Redis."""
    queue_name = f"scmi-test:{secrets.token_hex(4)}"
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=queue_name)
    try:
        job = await pool.enqueue_job("publish_due")
        assert job is not None
        worker = build_worker(pool, settings, burst=True, with_cron=False, handle_signals=False)
        await worker.main()
        await worker.close()
        result: int = await job.result(timeout=5)
        return result
    finally:
        await pool.delete(queue_name)
        await pool.aclose()


async def test_an_entry_leaves_the_public_at_unpublish_at(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    editor = staff.headers("editor")
    entry = await create(client, editor, body=bilingual("ვადიანი", "Closing soon"))
    base = f"/api/v1/news/{entry['id']}"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    refused = await client.post(f"{base}/publish", json={"unpublish_at": past}, headers=editor)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "unpublish_at"
    assert (await client.get(base, headers=editor)).json()["status"] == "draft"

    closes = datetime.now(UTC) + timedelta(seconds=2)
    published = await client.post(
        f"{base}/publish", json={"unpublish_at": closes.isoformat()}, headers=editor
    )
    assert published.status_code == 200, published.text
    assert published.json()["unpublish_at"] == closes.isoformat().replace("+00:00", "Z")
    assert (await client.get(base)).status_code == 200
    assert [item["id"] for item in (await client.get("/api/v1/news?lang=en")).json()["items"]] == [
        entry["id"]
    ]
    assert "Closing soon" in (await client.get("/feeds/en/news.rss")).text

    assert await unpublish_due_entries() == []  # not yet
    await asyncio.sleep(2.1)
    assert await _run_publish_due(settings) == 1
    assert (await client.get(base)).status_code == 404
    assert (await client.get("/api/v1/news?lang=en")).json()["items"] == []
    assert "Closing soon" not in (await client.get("/feeds/en/news.rss")).text
    staff_view = (await client.get(base, headers=editor)).json()
    assert staff_view["status"] == "draft" and "unpublish_at" in staff_view
    assert staff_view["unpublish_at"] is None
    latest = (await client.get(f"{base}/revisions", headers=editor)).json()[0]
    assert (latest["action"], latest["staff_name"]) == ("expire", "system")
    assert await _run_publish_due(settings) == 0  # twice is harmless


async def test_unpublish_at_is_set_and_cleared_by_patch(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    entry = await create(client, editor)
    base = f"/api/v1/news/{entry['id']}"
    later = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    patched = await client.patch(base, json={"unpublish_at": later.isoformat()}, headers=editor)
    assert patched.json()["unpublish_at"] == later.isoformat().replace("+00:00", "Z")
    cleared = await client.patch(base, json={"unpublish_at": None}, headers=editor)
    assert cleared.json()["unpublish_at"] is None
    # The due-check ignores drafts: only what is public can leave the public.
    await client.patch(base, json={"unpublish_at": "2020-01-01T00:00:00Z"}, headers=editor)
    assert await unpublish_due_entries() == []
