"""Webhook jobs: send one delivery, and the sweep that queues whatever the database says is owed."""

from email.message import EmailMessage
from uuid import UUID

from arq.connections import ArqRedis

from accounts.staff import list_staff
from content.webhooks.deliveries import owed_now
from content.webhooks.endpoints import get_endpoint
from content.webhooks.sending import SendPolicy, attempt_delivery
from newsletters.mail.transport import send_message
from newsletters.mime import date_header, domain_of, new_message_id
from tasks.context import JobContext, JobSettings
from tasks.enqueue import enqueue_webhook_delivery

# Admins read the notice in either language: both are in the one mail, Georgian first.
DISABLED_NOTICE = (
    "ვებჰუკის მისამართი გამოირთო: {url}\nმიზეზი: {reason}\n"
    'როცა ის კვლავ იმუშავებს, ჩართეთ: PATCH /api/v1/webhooks/{id} {{"enabled": true}}\n\n'
    "A webhook endpoint was turned off: {url}\nWhy: {reason}\n"
    'When it works again, turn it on: PATCH /api/v1/webhooks/{id} {{"enabled": true}}\n'
)


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


async def tell_admins_of_disabled(ctx: JobContext, endpoint_id: UUID) -> int:
    """Mail every active admin that an endpoint was turned off; returns how many were told."""
    endpoint = await get_endpoint(endpoint_id)
    admins = [member.email for member in await list_staff() if member.role == "admin" and not member.disabled]
    if not admins:
        return 0
    mail_from = ctx["settings"].mail_from
    message = EmailMessage()
    message["Subject"] = "ვებჰუკი გამოირთო · A webhook endpoint was turned off"
    message["From"] = mail_from
    message["To"] = ", ".join(admins)
    message["Date"] = date_header()
    message["Message-ID"] = new_message_id(domain_of(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    text = DISABLED_NOTICE.format(url=endpoint.url, reason=endpoint.disabled_reason, id=endpoint.id)
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    transport = ctx["mail"].transport()
    try:
        await send_message(transport, message)
    finally:
        await transport.close()
    return len(admins)


async def deliver_webhook(ctx: JobContext, delivery_id: str) -> str:
    """Attempt one delivery; queue its retry at its time, or the next one in line when it is done."""
    outcome = await attempt_delivery(UUID(delivery_id), send_policy(ctx["settings"]))
    if outcome.endpoint_disabled and outcome.endpoint_id is not None:
        await tell_admins_of_disabled(ctx, outcome.endpoint_id)
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
