"""Jobs of subscriptions: the double opt-in confirmation mail."""

from typing import Any
from uuid import UUID

from newsletters.confirmation import send_confirmation
from newsletters.mail import transport_for


async def send_confirmation_mail(ctx: dict[str, Any], subscriber_id: str) -> bool:
    """Mail a confirmation link to a pending subscriber; True when a mail went out."""
    settings = ctx["settings"]
    return await send_confirmation(
        UUID(subscriber_id),
        secret_key=settings.secret_key,
        public_url=settings.public_url,
        mail_from=settings.mail_from,
        transport=transport_for(settings.smtp_url, settings.outbox_dir),
    )
