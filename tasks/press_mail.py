"""The job that mails one journalist their personal link to an embargoed entry."""

from uuid import UUID

from newsletters.press.mail import owed_press_mails, send_press_mail
from tasks.context import JobContext
from tasks.enqueue import enqueue_press_mails


async def send_press_access_mail(ctx: JobContext, grant_id: str) -> bool:
    """Mail one press grant its link (once: a mailed or revoked grant is left alone)."""
    settings = ctx["settings"]
    transport = ctx["mail"].transport()
    try:
        return await send_press_mail(
            UUID(grant_id), public_url=settings.public_url, mail_from=settings.mail_from, transport=transport
        )
    finally:
        await transport.close()


async def sweep_press_mails(ctx: JobContext) -> int:
    """Queue again the press mails owed (a job Redis lost, an SMTP server that failed); returns how many."""
    owed = await owed_press_mails()
    for grant_id, attempts in owed:
        await enqueue_press_mails(ctx["redis"], [grant_id], attempts)
    return len(owed)
