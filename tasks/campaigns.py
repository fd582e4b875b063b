"""Campaign jobs: thin wrappers that parse ids and call the campaign engine with the typed queue."""

import dataclasses
from datetime import datetime, timedelta
from email.utils import parseaddr
from uuid import UUID

from core.db import utcnow
from newsletters.campaigns import runner, trial
from newsletters.campaigns.runner import BatchJob, EnqueueBatch
from newsletters.digest import draft_digest
from tasks.context import JobContext
from tasks.enqueue import enqueue_campaign_batch


def _enqueue(ctx: JobContext) -> EnqueueBatch:
    queue = ctx["redis"]

    async def enqueue(job: BatchJob, at: datetime | None) -> bool:
        return await enqueue_campaign_batch(queue, job, at)

    return enqueue


async def start_campaign(ctx: JobContext, campaign_id: str) -> bool:
    """Write the ledger of a due campaign and start its batches; False when it is not due."""
    return await runner.start(UUID(campaign_id), ctx["sending"], ctx["redis"], _enqueue(ctx))


async def send_campaign_batch(
    ctx: JobContext, campaign_id: str, round_: int, slot: int, chain: str, seq: int
) -> dict[str, int | str]:
    """Send batches over one connection for a while, then queue this slot's next job (later, when only
    retries are left)."""
    job = BatchJob(UUID(campaign_id), round_, slot, chain, seq)
    report = await runner.run_slot(job, ctx["sending"], ctx["mail"], ctx["pace"], ctx["redis"], _enqueue(ctx))
    return dataclasses.asdict(report)


async def send_campaign_test(
    ctx: JobContext, campaign_id: str, addresses: list[str], lang: str | None
) -> int:
    """Mail a test of the campaign to some addresses."""
    transport = ctx["mail"].transport()
    try:
        return await trial.send_test(UUID(campaign_id), addresses, lang, ctx["sending"], transport)
    finally:
        await transport.close()


async def reconcile_campaigns(ctx: JobContext) -> int:
    """Trust the database over Redis: start due campaigns, restart the batches of sending ones."""
    return await runner.reconcile(ctx["sending"], ctx["redis"], _enqueue(ctx))


async def weekly_digest(ctx: JobContext) -> str | None:
    """Draft the week's digest for DIGEST_LISTS (editors review and send it); the draft's id, if any."""
    settings = ctx["settings"]
    if not settings.digest_lists:
        return None
    name, address = parseaddr(settings.mail_from)
    campaign = await draft_digest(
        utcnow() - timedelta(days=7), list(settings.digest_lists), from_name=name, from_address=address
    )
    return str(campaign.id) if campaign else None
