"""A worker stopped mid-campaign, its Redis lost and a claim left by a dead worker: every recipient once."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import UUID

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from newsletters.campaigns import ledger
from newsletters.tables import Delivery
from service.settings import Settings
from tasks.worker import CRON_JOBS, build_worker
from tests.conftest import Database
from tests.newsletters.conftest import Inbox, Newsroom, newsroom_for
from tests.newsletters.test_campaigns import add_partners, draft
from tests.private_servers import smtp_server

RECIPIENTS = 30


@dataclass
class SlowInbox(Inbox):
    """An inbox that takes a moment per message, and keeps none whose sender hung up before the 250."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(0.01)
        if server.transport is None or server.transport.is_closing():
            return "421 connection gone"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow() -> Iterator[tuple[SlowInbox, str]]:
    inbox = SlowInbox()
    with smtp_server(inbox) as url:
        yield inbox, url


@pytest.fixture
async def room(settings: Settings, db: Database, slow: tuple[SlowInbox, str]) -> AsyncIterator[Newsroom]:
    changed = replace(
        settings, smtp_url=slow[1], campaign_batch_size=4, smtp_connections=2, campaign_lease_seconds=1
    )
    async with newsroom_for(changed, db) as newsroom:
        yield newsroom


async def test_a_worker_stopped_mid_campaign_and_lost_jobs_end_with_everyone_served_once(
    room: Newsroom, slow: tuple[SlowInbox, str]
) -> None:
    inbox = slow[0]
    addresses = [f"r{n:02d}@example.org" for n in range(RECIPIENTS)]
    await add_partners(room, [(address, "ka", "") for address in addresses])
    campaign = await draft(room, [])
    identity = UUID(campaign["id"])
    sent = await room.post(f"/api/v1/campaigns/{identity}/send", json={}, headers=room.admin)
    assert sent.status_code == 202, sent.text

    queue = room.app.state.queue
    worker = build_worker(queue, room.settings, handle_signals=False)
    main = asyncio.create_task(worker.main())
    while len(inbox.messages) < 8:  # wait until the worker is well into the campaign
        await asyncio.sleep(0.01)
        assert not main.done()
    # The worker dies: its jobs are cancelled mid-batch, and Redis loses every queued job.
    for task in [*worker.tasks.values(), main]:
        task.cancel()
    await asyncio.gather(*worker.tasks.values(), main, return_exceptions=True)
    # The cancelled batches record what they sent and give the rest back (a claim that was committing
    # when the job was cancelled included): nothing waits out a lease.
    async with asyncio.timeout(10):
        while await Delivery.count().where(Delivery.status == "claimed"):  # noqa: ASYNC110 (the database is what we watch)
            await asyncio.sleep(0.01)
    await queue.flushdb()
    # A second worker died too, holding three rows under a lease that has already run out.
    held = await ledger.claim(identity, 3, timedelta(0))
    counts = await ledger.counts(identity)
    assert 8 <= counts.sent < RECIPIENTS and counts.pending > 0, counts

    # A new worker process starts (fresh cron state): its reconciler reads the database and sends the rest.
    for cron_job in CRON_JOBS:
        cron_job.next_run = None
    await room.run_jobs()
    state = (await room.client.get(f"/api/v1/campaigns/{identity}", headers=room.admin)).json()
    assert state["status"] == "sent", state
    assert state["counts"] == {
        "recipients": RECIPIENTS,
        "sent": RECIPIENTS,
        "failed": 0,
        "bounced": 0,
        "pending": 0,
        "skipped": 0,
        "complained": 0,
    }
    assert sorted(address for rcpt in inbox.recipients for address in rcpt) == addresses
    assert len(held) == 3
