"""Jobs of event registration: the owed mails, and the sweep (reminders, change mails, retention)."""

from datetime import datetime

from core.db import utcnow
from registrations.outbox import send_owed_mails
from registrations.reminders import owe_change_mails, owe_reminders, settle_confirmations
from registrations.retention import erase_expired
from tasks.context import JobContext


async def send_registration_mails(ctx: JobContext) -> int:
    """Send every mail registrants are owed; how many went out."""
    settings = ctx["settings"]
    transport = ctx["mail"].transport()
    try:
        return await send_owed_mails(
            transport=transport, public_url=settings.public_url, mail_from=settings.mail_from
        )
    finally:
        await transport.close()


async def sweep_registrations(ctx: JobContext, now: datetime | None = None) -> int:
    """The minute's work: reminders due, changes of watched events, expired personal data; then mail."""
    settings = ctx["settings"]
    moment = now or utcnow()
    await settle_confirmations(moment)
    await owe_reminders(moment, settings.registration_reminder_hours)
    await owe_change_mails(moment)
    await erase_expired(moment, settings.registration_retention_days)
    return await send_registration_mails(ctx)
