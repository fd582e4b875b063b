"""The chain of batch jobs: one chain per SMTP connection (a slot), kept alive by a heartbeat in Redis.

The runner decides; the queue is somebody else's. It takes an `enqueue` callable for the slot's next
job and a Redis-like store for the heartbeats, so it never imports arq or the worker.
"""

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Protocol
from uuid import UUID

from core.db import utcnow
from newsletters.campaigns import ledger, states
from newsletters.campaigns.batch import BatchResult, send_batch
from newsletters.campaigns.config import SendingConfig
from newsletters.campaigns.pacing import RateLimiter
from newsletters.mail.transport import MailRoute, MailTransport

# A batch job goes on claiming batches over its one connection for this long, then hands over to the
# slot's next job: reconnecting and waiting for the queue's next poll between every batch halved the
# sending rate, while a bounded job still lets other jobs and a graceful stop have their turn.
JOB_SECONDS: Final = 20.0
# A slot claims what its connection sends in about this long. A slow relay (100 ms a message) takes
# 20 rows a claim, a fast one the full CAMPAIGN_BATCH_SIZE: rows stay spread over every connection to
# the end, instead of a few slots holding full batches while the others have nothing left to claim.
CLAIM_SECONDS: Final = 2.0
FIRST_CLAIM: Final = 10  # before the connection's speed is known


@dataclass(frozen=True, slots=True)
class BatchJob:
    """One job of a slot's chain: which campaign and round, which slot, which chain, how far along."""

    campaign_id: UUID
    round: int
    slot: int
    chain: str  # "start" for the chains a start began, "r<time>" for those the reconciler began
    seq: int = 0

    @property
    def heartbeat(self) -> str:
        """The Redis key that says this slot's chain is alive."""
        return heartbeat_key(self.campaign_id, self.round, self.slot)

    def following(self) -> "BatchJob":
        """The slot's next job in the chain."""
        return BatchJob(self.campaign_id, self.round, self.slot, self.chain, self.seq + 1)


# Queue a batch job (at a time, else now); False when a job of that id is queued or kept already.
EnqueueBatch = Callable[[BatchJob, datetime | None], Awaitable[bool]]


class Heartbeats(Protocol):
    """The part of a Redis client the runner uses for heartbeats."""

    def exists(self, *names: str) -> Awaitable[Any]: ...

    def set(self, name: str, value: str, ex: int | None = None) -> Awaitable[Any]: ...

    def delete(self, *names: str) -> Awaitable[Any]: ...


def heartbeat_key(campaign_id: UUID, round_: int, slot: int) -> str:
    """The key of a slot's heartbeat; it lapses a lease after the chain's last sign of life."""
    return f"scmi:campaign:{campaign_id}:{round_}:slot:{slot}"


async def start_slots(
    campaign_id: UUID,
    round_: int,
    chain: str,
    config: SendingConfig,
    heartbeats: Heartbeats,
    enqueue: EnqueueBatch,
) -> int:
    """Start one chain of batch jobs per SMTP connection (slots whose chain is alive are left alone)."""
    started = 0
    for slot in range(config.connections):
        job = BatchJob(campaign_id, round_, slot, chain)
        if await heartbeats.exists(job.heartbeat):
            continue
        await heartbeats.set(job.heartbeat, chain, ex=config.lease_seconds)
        started += await enqueue(job, None)
    return started


async def start(
    campaign_id: UUID, config: SendingConfig, heartbeats: Heartbeats, enqueue: EnqueueBatch
) -> bool:
    """Write the ledger of a due campaign and start its slots; False when it is not due."""
    round_ = await states.start_due(campaign_id, config.audiences)
    if round_ is None:
        return False
    await start_slots(campaign_id, round_, "start", config, heartbeats, enqueue)
    return True


@dataclass
class SlotReport:
    """What one job of a chain did over its batches."""

    status: str = ""
    sent: int = 0
    claimed: int = 0

    def add(self, result: BatchResult) -> None:
        self.status = result.status
        self.sent += result.sent
        self.claimed += result.claimed


async def run_batches(
    job: BatchJob,
    config: SendingConfig,
    transport: MailTransport,
    limiter: RateLimiter,
    heartbeats: Heartbeats,
    *,
    seconds: float = JOB_SECONDS,
) -> tuple[SlotReport, BatchResult]:
    """Send batch after batch over one connection for up to `seconds`, the heartbeat renewed before each;
    each claims what the connection sent in CLAIM_SECONDS of the batch before."""
    deadline = time.monotonic() + seconds
    report = SlotReport()
    most = FIRST_CLAIM
    while True:
        await heartbeats.set(job.heartbeat, job.chain, ex=config.lease_seconds)
        started = time.monotonic()
        result = await send_batch(job.campaign_id, job.round, config, transport, limiter, most)
        report.add(result)
        if result.status != "sending" or not result.claimed or time.monotonic() >= deadline:
            return report, result
        per_second = result.claimed / max(time.monotonic() - started, 1e-3)
        most = max(FIRST_CLAIM, math.floor(per_second * CLAIM_SECONDS))


async def after_batches(
    job: BatchJob, last: BatchResult, config: SendingConfig, heartbeats: Heartbeats, enqueue: EnqueueBatch
) -> None:
    """The slot's next step: carry on now, wait for the next retry, or end (finishing a done campaign)."""
    if last.status != "sending":
        await heartbeats.delete(job.heartbeat)  # paused, cancelled, sent or a stale round: the chain ends
        return
    if last.claimed:  # the time was up with rows left: the next job carries on at once
        await enqueue(job.following(), None)
        return
    if await states.finish_if_done(job.campaign_id):
        await heartbeats.delete(job.heartbeat)
        return
    due = await ledger.next_due(job.campaign_id)
    if due is None:
        # Only rows other slots hold are left: their chains finish the campaign (or, if their worker
        # died, the reconciler starts new chains once the heartbeat has lapsed).
        await heartbeats.delete(job.heartbeat)
        return
    when = max(due, utcnow() + timedelta(seconds=1))
    wait = int((when - utcnow()).total_seconds()) + config.lease_seconds
    await heartbeats.set(job.heartbeat, job.chain, ex=max(wait, 1))  # alive while it waits for the retry
    await enqueue(job.following(), when)


async def run_slot(
    job: BatchJob,
    config: SendingConfig,
    route: MailRoute,
    limiter: RateLimiter,
    heartbeats: Heartbeats,
    enqueue: EnqueueBatch,
    *,
    seconds: float = JOB_SECONDS,
) -> SlotReport:
    """One job of a slot's chain: its batches over one connection (closed once they are done), then the
    slot's next step."""
    transport = route.transport()
    try:
        report, last = await run_batches(job, config, transport, limiter, heartbeats, seconds=seconds)
    finally:
        await transport.close()
    await after_batches(job, last, config, heartbeats, enqueue)
    return report


async def reconcile(config: SendingConfig, heartbeats: Heartbeats, enqueue: EnqueueBatch) -> int:
    """Trust the database over Redis: start due campaigns, restart the dead slots of sending ones."""
    chain = f"r{int(utcnow().timestamp())}"
    touched = 0
    for campaign_id, status, round_ in await states.active_campaigns():
        if status == "scheduled":
            touched += await start(campaign_id, config, heartbeats, enqueue)
        elif not await states.finish_if_done(campaign_id):
            touched += await start_slots(campaign_id, round_, chain, config, heartbeats, enqueue)
    return touched
