"""Webhook jobs: send one delivery, and the sweep that queues whatever the database says is owed."""

from uuid import UUID

from arq.connections import ArqRedis

from content.webhooks.deliveries import owed_now
from content.webhooks.sending import SendPolicy, attempt_delivery
from tasks.context import JobContext, JobSettings
from tasks.enqueue import enqueue_webhook_delivery


def send_policy(settings: JobSettings) -> SendPolicy:
    """How the worker sends webhooks, from the settings."""
    return SendPolicy(
        timeout=settings.webhook_timeout_seconds,
        allow_private=settings.webhook_private_allowed,
        retry_seconds=settings.webhook_retry_seconds,
    )


async def enqueue_owed(queue: ArqRedis) -> int:
    """Queue every delivery due now (first in its line); the database, not Redis, knows what is owed."""
    owed = await owed_now()
    for delivery_id, attempts in owed:
        await enqueue_webhook_delivery(queue, delivery_id, attempts)
    return len(owed)


async def deliver_webhook(ctx: JobContext, delivery_id: str) -> str:
    """Attempt one delivery; queue its retry at its time, or the next one in line when it is done."""
    outcome = await attempt_delivery(UUID(delivery_id), send_policy(ctx["settings"]))
    if outcome.status == "retry" and outcome.next_attempt_at is not None:
        await enqueue_webhook_delivery(
            ctx["redis"], UUID(delivery_id), outcome.attempts, at=outcome.next_attempt_at
        )
    elif outcome.status in {"sent", "failed"}:
        await enqueue_owed(ctx["redis"])
    return outcome.status


async def sweep_webhooks(ctx: JobContext) -> int:
    """The cron: queue what is owed and due, so a flushed Redis or a killed worker loses nothing."""
    return await enqueue_owed(ctx["redis"])
