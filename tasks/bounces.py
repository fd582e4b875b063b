"""The bounce mailbox job: read new delivery and complaint reports and apply them (BOUNCE_MAILBOX_URL)."""

import dataclasses
import logging
from typing import Any, Final

from newsletters.bounces.effects import Rules
from newsletters.bounces.intake import read_mailbox
from newsletters.bounces.mailbox import MailboxDown
from tasks.context import JobContext

log: Final = logging.getLogger("scmi.bounces")


async def read_bounce_mailbox(ctx: JobContext) -> dict[str, Any] | None:
    """One run over the bounce mailbox; None when none is configured.

    A mailbox that cannot be reached fails the run softly: it is logged, nothing was moved, and the
    next run (a minute later) reads the same messages.
    """
    settings = ctx["settings"]
    if not settings.bounce_mailbox_url:
        return None
    rules = Rules(secret_key=settings.secret_key, soft_limit=settings.bounce_soft_limit)
    try:
        report = await read_mailbox(settings.bounce_mailbox_url, rules)
    except MailboxDown as error:
        log.warning("bounce mailbox unreachable, trying again next run: %s", error)
        return {"down": str(error)[:300]}
    return dataclasses.asdict(report)
