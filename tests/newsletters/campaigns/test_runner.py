"""The chain decisions of the campaign runner, on the suite's real Redis and the real ledger."""

import asyncio
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from core.db import utcnow
from newsletters.campaigns import ledger, runner, states
from newsletters.campaigns.config import SendingConfig
from newsletters.campaigns.pacing import NoLimit
from newsletters.campaigns.runner import BatchJob
from newsletters.mail.transport import MailRoute, mail_route
from newsletters.tables import Campaign, Delivery
from tests.conftest import Database
from tests.newsletters.campaigns.helpers import SITE, campaign_in, sending_campaign
from tests.newsletters.campaigns.test_batch import Picky
from tests.private_servers import smtp_server

CONFIG = SendingConfig(public_url="https://newsroom.test", lease=timedelta(seconds=30), connections=2)


@dataclass
class Queued:
    """The `enqueue` the runner is given: the jobs it asked for, each id taken once (as on arq)."""

    jobs: list[tuple[BatchJob, datetime | None]] = field(default_factory=list)

    async def __call__(self, job: BatchJob, at: datetime | None) -> bool:
        if any(job == queued for queued, _ in self.jobs):
            return False
        self.jobs.append((job, at))
        return True


@pytest.fixture
def outbox(tmp_path: Path) -> MailRoute:
    return mail_route(None, tmp_path / "outbox")


async def test_a_start_writes_the_ledger_and_starts_one_chain_per_connection(
    db: Database, redis: Redis
) -> None:
    await sending_campaign("a@example.org")  # the list and another campaign already sending
    draft = await states.create_campaign(campaign_in(slug="second"))
    await states.request_send(draft.id, None, SITE)
    queued = Queued()
    assert await runner.start(draft.id, CONFIG, redis, queued)
    assert queued.jobs == [
        (BatchJob(draft.id, 1, 0, "start"), None),
        (BatchJob(draft.id, 1, 1, "start"), None),
    ]
    for slot in (0, 1):
        assert 0 < await redis.ttl(runner.heartbeat_key(draft.id, 1, slot)) <= 30
    assert not await runner.start(draft.id, CONFIG, redis, queued)  # not scheduled any more

    # A slot whose chain is alive is left alone; one whose heartbeat lapsed gets a new chain.
    await redis.delete(runner.heartbeat_key(draft.id, 1, 1))
    assert await runner.start_slots(draft.id, 1, "r1", CONFIG, redis, queued) == 1
    assert queued.jobs[-1] == (BatchJob(draft.id, 1, 1, "r1"), None)


async def test_a_slot_sends_everything_finishes_the_campaign_and_ends_its_chain(
    db: Database, redis: Redis, outbox: MailRoute
) -> None:
    campaign_id = await sending_campaign(*[f"p{n}@example.org" for n in range(5)])
    job, queued = BatchJob(campaign_id, 1, 0, "start"), Queued()
    report = await runner.run_slot(job, CONFIG, outbox, NoLimit(), redis, queued)
    assert (report.status, report.sent, report.claimed) == ("sending", 5, 5)
    assert (await states.get_campaign(campaign_id)).status == "sent"
    assert not await redis.exists(job.heartbeat)
    assert queued.jobs == []
    assert len(list(outbox.outbox_dir.glob("*.eml"))) == 5


async def test_a_slot_whose_time_is_up_hands_over_to_its_next_job_at_once(
    db: Database, redis: Redis, outbox: MailRoute
) -> None:
    campaign_id = await sending_campaign(*[f"p{n}@example.org" for n in range(5)])
    small = SendingConfig(public_url=CONFIG.public_url, batch_size=2, lease=CONFIG.lease)
    job, queued = BatchJob(campaign_id, 1, 0, "start", seq=3), Queued()
    report = await runner.run_slot(job, small, outbox, NoLimit(), redis, queued, seconds=0)
    assert (report.sent, report.claimed) == (2, 2)  # one batch, then the time was up
    assert queued.jobs == [(BatchJob(campaign_id, 1, 0, "start", seq=4), None)]
    assert await redis.get(job.heartbeat) == b"start"  # the chain lives on


async def test_a_slot_left_with_retries_waits_for_them_and_keeps_its_heartbeat(
    db: Database, redis: Redis
) -> None:
    inbox = Picky(temporary={"later@example.org": 1})
    campaign_id = await sending_campaign("now@example.org", "later@example.org")
    config = SendingConfig(public_url=CONFIG.public_url, lease=CONFIG.lease, backoff=(timedelta(seconds=60),))
    job, queued = BatchJob(campaign_id, 1, 0, "start"), Queued()
    with smtp_server(inbox) as url:
        report = await runner.run_slot(job, config, mail_route(url, Path("unused")), NoLimit(), redis, queued)
    assert (report.status, report.sent, report.claimed) == ("sending", 1, 2)
    [(following, at)] = queued.jobs
    assert following == job.following() and at is not None
    assert timedelta(seconds=55) < at - utcnow() <= timedelta(seconds=60)  # when the deferred row is due
    assert 60 < await redis.ttl(job.heartbeat) <= 90  # alive while it waits, and a lease beyond
    assert (await states.get_campaign(campaign_id)).status == "sending"


async def test_a_slot_ends_when_only_rows_other_slots_hold_are_left(
    db: Database, redis: Redis, outbox: MailRoute
) -> None:
    campaign_id = await sending_campaign("a@example.org", "b@example.org")
    held = await ledger.claim(campaign_id, 10, timedelta(minutes=5))  # another slot's batch has them
    job, queued = BatchJob(campaign_id, 1, 1, "start"), Queued()
    report = await runner.run_slot(job, CONFIG, outbox, NoLimit(), redis, queued)
    assert (len(held), report.claimed, queued.jobs) == (2, 0, [])
    assert not await redis.exists(job.heartbeat)
    assert (await states.get_campaign(campaign_id)).status == "sending"  # the other slot finishes it


async def test_the_chains_of_a_paused_and_of_an_older_round_end(
    db: Database, redis: Redis, outbox: MailRoute
) -> None:
    campaign_id = await sending_campaign("a@example.org")
    job, queued = BatchJob(campaign_id, 1, 0, "start"), Queued()
    await states.pause_campaign(campaign_id)
    assert (await runner.run_slot(job, CONFIG, outbox, NoLimit(), redis, queued)).status == "paused"
    assert not await redis.exists(job.heartbeat)
    await states.resume_campaign(campaign_id)  # round 2: round 1's jobs are stale
    assert (await runner.run_slot(job, CONFIG, outbox, NoLimit(), redis, queued)).status == "stale"
    assert not await redis.exists(job.heartbeat)
    assert queued.jobs == []
    assert await Delivery.count().where(Delivery.status == "sent") == 0


async def test_the_reconciler_starts_due_campaigns_restarts_dead_chains_and_finishes_done_ones(
    db: Database, redis: Redis
) -> None:
    sending_id = await sending_campaign("a@example.org")
    due = await states.create_campaign(campaign_in(slug="due"))
    await states.request_send(due.id, None, SITE)
    done = await states.create_campaign(campaign_in(slug="done"))
    await states.request_send(done.id, None, SITE)
    await states.start_due(done.id)
    await ledger.mark_sent(
        [(row.id, "<x@newsroom.test>") for row in await ledger.claim(done.id, 10, CONFIG.lease)]
    )
    alive = runner.heartbeat_key(sending_id, 1, 0)
    await redis.set(alive, "start", ex=30)  # slot 0 of the sending campaign is alive, slot 1 died

    queued = Queued()
    assert await runner.reconcile(CONFIG, redis, queued) == 2
    chains = {job.chain for job, _ in queued.jobs if job.campaign_id == sending_id}
    assert [(job.round, job.slot) for job, _ in queued.jobs if job.campaign_id == sending_id] == [(1, 1)]
    assert len(chains) == 1 and chains.pop().startswith("r")
    assert [(job.slot, job.chain) for job, _ in queued.jobs if job.campaign_id == due.id] == [
        (0, "start"),
        (1, "start"),
    ]
    statuses = {row["id"]: row["status"] for row in await Campaign.select(Campaign.id, Campaign.status)}
    assert statuses == {sending_id: "sending", due.id: "sending", done.id: "sent"}
    assert not any(job.campaign_id == done.id for job, _ in queued.jobs)


@dataclass
class SlowRelay:
    """An SMTP server that answers each message after 100 ms, noting which connection brought it."""

    by_connection: dict[int, int] = field(default_factory=dict)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.1)
        self.by_connection[id(session)] = self.by_connection.get(id(session), 0) + 1
        return "250 OK"


async def test_through_a_slow_relay_every_connection_has_rows_to_the_end(db: Database, redis: Redis) -> None:
    """A slot claims what its connection sends in a couple of seconds, not a whole CAMPAIGN_BATCH_SIZE:
    one fast claim of 200 rows would leave the other connections nothing to send."""
    people = [f"p{n}@example.org" for n in range(80)]
    campaign_id = await sending_campaign(*people)
    relay = SlowRelay()
    config = replace(CONFIG, connections=4, batch_size=200)
    with smtp_server(relay) as url:
        route = mail_route(url, Path("unused-outbox"))
        jobs = [BatchJob(campaign_id, 1, slot, "start") for slot in range(4)]
        reports = await asyncio.gather(
            *(runner.run_slot(job, config, route, NoLimit(), redis, Queued()) for job in jobs)
        )
    assert sum(report.sent for report in reports) == 80
    assert (await states.get_campaign(campaign_id)).status == "sent"
    assert len(relay.by_connection) == 4
    assert all(report.sent >= runner.FIRST_CLAIM for report in reports), [r.sent for r in reports]
    assert max(relay.by_connection.values()) <= 40, relay.by_connection  # no connection did half alone
