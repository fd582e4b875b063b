"""Campaign jobs: start a due campaign, send its batches slot by slot, reconcile with the ledger."""

import time
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Final
from uuid import UUID

from arq.connections import ArqRedis

from core.db import utcnow
from newsletters import campaigns, ledger
from newsletters.digest import draft_digest
from newsletters.dkim_signing import DkimKey
from newsletters.mail.smtp import parse_smtp_url
from newsletters.sending import Connection, MailConfig, NoLimit, RateLimiter, RedisRate, send_batch, send_test

HEARTBEAT: Final = "scmi:campaign:{campaign}:{round}:slot:{slot}"
# A batch job goes on claiming batches over its one connection for this long, then hands over to the
# slot's next job: reconnecting and waiting for the queue's next poll between every batch halved the
# sending rate, while a bounded job still lets other jobs and a graceful stop have their turn.
JOB_SECONDS: Final = 20.0


def mail_config(settings: Any) -> MailConfig:
    """The sending configuration from the settings."""
    dkim = None
    if settings.dkim_private_key_file and settings.dkim_domain:
        dkim = DkimKey(
            domain=settings.dkim_domain,
            selector=settings.dkim_selector,
            private_key_pem=Path(settings.dkim_private_key_file).read_bytes(),
        )
    return MailConfig(
        smtp_url=settings.smtp_url or "",
        public_url=settings.public_url,
        outbox_dir=settings.outbox_dir,
        batch_size=settings.campaign_batch_size,
        lease=timedelta(seconds=settings.campaign_lease_seconds),
        dkim=dkim,
        backoff=tuple(timedelta(seconds=step) for step in settings.campaign_retry_seconds),
    )


def limiter_for(ctx: dict[str, Any]) -> RateLimiter:
    """The shared per-server pace, or none when SMTP_RATE is 0."""
    settings = ctx["settings"]
    if not settings.smtp_rate or not settings.smtp_url:
        return NoLimit()
    server = parse_smtp_url(settings.smtp_url)
    return RedisRate(ctx["redis"], f"scmi:smtp-rate:{server.host}:{server.port}", settings.smtp_rate)


async def enqueue_slots(redis: ArqRedis, settings: Any, campaign_id: UUID, round_: int, chain: str) -> int:
    """Start one chain of batch jobs per SMTP connection (slots whose chain is alive are left alone)."""
    started = 0
    for slot in range(settings.smtp_connections):
        key = HEARTBEAT.format(campaign=campaign_id, round=round_, slot=slot)
        if await redis.exists(key):
            continue
        await redis.set(key, chain, ex=settings.campaign_lease_seconds)
        job = await redis.enqueue_job(
            "send_campaign_batch", str(campaign_id), round_, slot, chain, 0,
            _job_id=f"campaign:{campaign_id}:{round_}:{slot}:{chain}:0",
        )  # fmt: skip
        started += job is not None
    return started


async def start_campaign(ctx: dict[str, Any], campaign_id: str) -> bool:
    """Write the ledger of a due campaign and start its batches; False when it is not due."""
    round_ = await campaigns.start_due(UUID(campaign_id))
    if round_ is None:
        return False
    await enqueue_slots(ctx["redis"], ctx["settings"], UUID(campaign_id), round_, "start")
    return True


async def send_campaign_batch(
    ctx: dict[str, Any], campaign_id: str, round_: int, slot: int, chain: str, seq: int
) -> dict[str, int | str]:
    """Send batches over one connection for up to JOB_SECONDS, then queue this slot's next job (later,
    when only retries are left)."""
    settings, redis = ctx["settings"], ctx["redis"]
    identity = UUID(campaign_id)
    key = HEARTBEAT.format(campaign=campaign_id, round=round_, slot=slot)
    config, limiter = mail_config(settings), limiter_for(ctx)
    connection = Connection(config)
    deadline = time.monotonic() + JOB_SECONDS
    answer: dict[str, int | str] = {"status": "", "sent": 0, "claimed": 0}
    try:
        while True:
            await redis.set(key, chain, ex=settings.campaign_lease_seconds)
            result = await send_batch(identity, round_, config, limiter, connection=connection)
            answer["status"] = result.status
            answer["sent"] = int(answer["sent"]) + result.sent
            answer["claimed"] = int(answer["claimed"]) + result.claimed
            if result.status != "sending" or not result.claimed or time.monotonic() >= deadline:
                break
    finally:
        await connection.close()
    if result.status != "sending":
        await redis.delete(key)
        return answer
    next_job = f"campaign:{campaign_id}:{round_}:{slot}:{chain}:{seq + 1}"
    if result.claimed:  # the time was up with rows left: the next job carries on at once
        await redis.enqueue_job(
            "send_campaign_batch", campaign_id, round_, slot, chain, seq + 1, _job_id=next_job
        )
        return answer
    if await campaigns.finish_if_done(identity):
        await redis.delete(key)
        return answer
    due = await ledger.next_due(identity)
    if due is None:
        # Only rows other slots hold are left: their chains finish the campaign (or, if their worker
        # died, the reconciler starts new chains once the heartbeat has lapsed).
        await redis.delete(key)
        return answer
    when = max(due, utcnow() + timedelta(seconds=1))
    wait = int((when - utcnow()).total_seconds()) + settings.campaign_lease_seconds
    await redis.set(key, chain, ex=max(wait, 1))
    await redis.enqueue_job(
        "send_campaign_batch", campaign_id, round_, slot, chain, seq + 1, _job_id=next_job, _defer_until=when
    )
    return answer


async def send_campaign_test(
    ctx: dict[str, Any], campaign_id: str, addresses: list[str], lang: str | None
) -> int:
    """Mail a test of the campaign to some addresses."""
    return await send_test(UUID(campaign_id), addresses, mail_config(ctx["settings"]), lang)


async def reconcile_campaigns(ctx: dict[str, Any]) -> int:
    """Trust the database over Redis: start due campaigns, restart the batches of sending ones."""
    settings, redis = ctx["settings"], ctx["redis"]
    chain = f"r{int(utcnow().timestamp())}"
    touched = 0
    for campaign_id, status, round_ in await campaigns.active_campaigns():
        if status == "scheduled":
            touched += await start_campaign(ctx, str(campaign_id))
        elif not await campaigns.finish_if_done(campaign_id):
            touched += await enqueue_slots(redis, settings, campaign_id, round_, chain)
    return touched


async def weekly_digest(ctx: dict[str, Any]) -> str | None:
    """Draft the week's digest for DIGEST_LISTS (editors review and send it); the draft's id, if any."""
    settings = ctx["settings"]
    if not settings.digest_lists:
        return None
    name, address = parseaddr(settings.mail_from)
    campaign = await draft_digest(
        utcnow() - timedelta(days=7), list(settings.digest_lists), from_name=name, from_address=address
    )
    return str(campaign.id) if campaign else None
