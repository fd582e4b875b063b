"""Jobs of subscriptions: the double opt-in confirmation mail."""

from uuid import UUID

from newsletters.confirmation import send_confirmation
from tasks.context import JobContext, return_paths


async def send_confirmation_mail(ctx: JobContext, subscriber_id: str) -> bool:
    """Mail a confirmation link to a pending subscriber; True when a mail went out."""
    settings = ctx["settings"]
    transport = ctx["mail"].transport()
    try:
        return await send_confirmation(
            UUID(subscriber_id),
            secret_key=settings.secret_key,
            public_url=settings.public_url,
            mail_from=settings.mail_from,
            transport=transport,
            return_paths=return_paths(settings),
        )
    finally:
        await transport.close()
