"""The typed way to queue a job: the one place that knows each job's name and deterministic id."""

import logging
from datetime import datetime
from typing import Final
from uuid import UUID

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from newsletters.campaigns.runner import BatchJob

logger = logging.getLogger("scmi.tasks")

# The names the worker registers its jobs under (tasks/worker.py) and the queue carries.
PUBLISH_DUE: Final = "publish_due"
MAKE_RENDITIONS: Final = "make_renditions"
SEND_CONFIRMATION_MAIL: Final = "send_confirmation_mail"
START_CAMPAIGN: Final = "start_campaign"
SEND_CAMPAIGN_BATCH: Final = "send_campaign_batch"
SEND_CAMPAIGN_TEST: Final = "send_campaign_test"
RECONCILE_CAMPAIGNS: Final = "reconcile_campaigns"
WEEKLY_DIGEST: Final = "weekly_digest"
DELIVER_WEBHOOK: Final = "deliver_webhook"
SWEEP_WEBHOOKS: Final = "sweep_webhooks"
READ_BOUNCE_MAILBOX: Final = "read_bounce_mailbox"
SEND_REVIEW_MAIL: Final = "send_review_mail"
SEND_PRESS_ACCESS_MAIL: Final = "send_press_access_mail"
SWEEP_PRESS_MAILS: Final = "sweep_press_mails"
IMPORT_SUBSCRIBERS: Final = "import_subscribers"
SEND_REGISTRATION_MAILS: Final = "send_registration_mails"
SWEEP_REGISTRATIONS: Final = "sweep_registrations"


def renditions_job_id(asset_id: UUID) -> str:
    return f"{MAKE_RENDITIONS}:{asset_id}"


def campaign_start_job_id(campaign_id: UUID) -> str:
    return f"campaign-start:{campaign_id}"


def campaign_batch_job_id(job: BatchJob) -> str:
    return f"campaign:{job.campaign_id}:{job.round}:{job.slot}:{job.chain}:{job.seq}"


async def enqueue_renditions(queue: ArqRedis, asset_id: UUID) -> None:
    """Make an image's renditions (once per asset while the job's result is kept)."""
    await queue.enqueue_job(MAKE_RENDITIONS, str(asset_id), _job_id=renditions_job_id(asset_id))


async def enqueue_import(queue: ArqRedis, run_id: UUID) -> None:
    """Import a subscriber CSV kept for the worker (once per import: its id is the job's)."""
    await queue.enqueue_job(IMPORT_SUBSCRIBERS, str(run_id), _job_id=f"import:{run_id}")


async def enqueue_confirmation_mail(queue: ArqRedis, subscriber_id: UUID) -> None:
    """Mail a pending subscriber the confirmation link (every sign-up asks again, so no fixed id)."""
    await queue.enqueue_job(SEND_CONFIRMATION_MAIL, str(subscriber_id))


async def enqueue_campaign_start(queue: ArqRedis, campaign_id: UUID, at: datetime | None) -> None:
    """Start a scheduled campaign at `at` (now when None); were this job lost, the reconciler starts it."""
    await queue.enqueue_job(
        START_CAMPAIGN, str(campaign_id), _job_id=campaign_start_job_id(campaign_id), _defer_until=at
    )


async def enqueue_campaign_test(
    queue: ArqRedis, campaign_id: UUID, addresses: list[str], lang: str | None
) -> None:
    """Mail a test of a campaign to some addresses."""
    await queue.enqueue_job(SEND_CAMPAIGN_TEST, str(campaign_id), addresses, lang)


async def enqueue_reconcile(queue: ArqRedis) -> None:
    """Run the reconciler now (a resumed campaign starts its new round at once)."""
    await queue.enqueue_job(RECONCILE_CAMPAIGNS)


async def enqueue_campaign_batch(queue: ArqRedis, job: BatchJob, at: datetime | None) -> bool:
    """Queue one job of a slot's chain (at `at`, else now); False when a job of its id exists already."""
    queued = await queue.enqueue_job(
        SEND_CAMPAIGN_BATCH, str(job.campaign_id), job.round, job.slot, job.chain, job.seq,
        _job_id=campaign_batch_job_id(job), _defer_until=at,
    )  # fmt: skip
    return queued is not None


async def enqueue_webhook_delivery(
    queue: ArqRedis, delivery_id: UUID, attempts: int, at: datetime | None = None
) -> None:
    """Attempt a webhook delivery that has had `attempts` tries (at `at`, else now).

    The job's id is the delivery's and its count: a sweep finding it owed while its job waits adds
    nothing. Were the job lost, the sweep queues it again from the database; the delivery's claim
    keeps one attempt at a time whatever the queue holds.
    """
    job_id = f"{DELIVER_WEBHOOK}:{delivery_id}:{attempts}"
    # A finished job's kept result would refuse the id: the next attempt (a retry) needs the id free.
    await queue.delete(f"arq:result:{job_id}")
    await queue.enqueue_job(DELIVER_WEBHOOK, str(delivery_id), _job_id=job_id, _defer_until=at)


async def enqueue_webhook_sweep(queue: ArqRedis) -> None:
    """Queue every webhook delivery owed now (after a ping, a redelivery, or a change of endpoint)."""
    await queue.enqueue_job(SWEEP_WEBHOOKS)


async def enqueue_review_mail(queue: ArqRedis, event: str, entry_id: UUID, actor_id: UUID | None) -> None:
    """Tell the people a review step concerns (tasks/review_mail.py): every step mails once."""
    try:
        await queue.enqueue_job(SEND_REVIEW_MAIL, event, str(entry_id), str(actor_id) if actor_id else None)
    except (OSError, RedisError):
        # The step is committed already: a mail Redis could not take must not answer it with a 500.
        logger.warning("review mail not queued", extra={"event": event, "entry_id": str(entry_id)})


async def enqueue_press_mails(queue: ArqRedis, grant_ids: list[UUID], attempts: int = 0) -> None:
    """Mail each press grant its personal link: one job per grant and try (a job's id names both)."""
    try:
        for grant_id in grant_ids:
            job_id = f"{SEND_PRESS_ACCESS_MAIL}:{grant_id}:{attempts}"
            await queue.enqueue_job(SEND_PRESS_ACCESS_MAIL, str(grant_id), _job_id=job_id)
    except (OSError, RedisError):
        # The grants are committed and stay owed (mailed_at is empty): logged, not answered with a 500.
        logger.warning("press mails not queued", extra={"grants": len(grant_ids)})


async def enqueue_registration_mails(queue: ArqRedis) -> None:
    """Send the mails registrants are owed now; were this lost, the minute's sweep sends them."""
    try:
        await queue.enqueue_job(SEND_REGISTRATION_MAILS)
    except RedisError:
        logger.warning("registration mails not queued; the sweep sends them")
