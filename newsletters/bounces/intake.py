"""The mailbox job's domain step: read new reports, apply each once, file them (Processed, Unrecognised)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from typing import Final

from newsletters.bounces import effects, kept, mailbox
from newsletters.bounces.effects import Incoming, Rules
from newsletters.bounces.reports import read_report, report_id_of
from newsletters.bounces.verp import find_verp

log: Final = logging.getLogger("scmi.bounces")


@dataclass
class IntakeReport:
    """What one run of the mailbox job did."""

    read: int = 0
    processed: int = 0
    unrecognised: int = 0
    duplicates: int = 0
    effects: dict[str, int] = field(default_factory=dict)


def incoming_of(raw: bytes, secret_key: str) -> Incoming | None:
    """A mailbox message as a bounce to apply, or None when it is no report we can read."""
    report = read_report(raw)
    if report is None:
        return None
    return Incoming(
        kind=report.kind,
        source="mailbox",
        email=report.recipients[0] if report.recipients else "",
        verp=find_verp(secret_key, list(report.verp_texts)),
        message_ids=report.message_ids,
        reason=report.reason,
        report_id=report.report_id,
        recipients=report.recipients,
    )


async def read_mailbox(
    url: str,
    rules: Rules,
    *,
    limit: int = 200,
    max_bytes: int = mailbox.MAX_BYTES,
    now: datetime | None = None,
) -> IntakeReport:
    """One run: fetch, apply, file. `MailboxDown` when the server cannot be reached (nothing is lost).

    A message is moved only after its effect is committed; should the database fail, what was done
    is filed and the rest waits in the inbox for the next run. A report read again (moved, then
    the move lost) is recognised by its Message-ID and only filed. A POP3 mailbox keeps what we
    cannot read where it is, and later runs skip it.
    """
    box = mailbox.parse_mailbox_url(url)
    pop3 = box.protocol == "pop3"
    messages, present = await mailbox.fetch(box, limit, max_bytes, await kept.kept_in(box) if pop3 else ())
    result = IntakeReport(read=len(messages))
    moves: list[tuple[str, str]] = []
    try:
        for uid, raw in messages:
            incoming = None if raw is None else incoming_of(raw, rules.secret_key)
            if raw is None or incoming is None:
                result.unrecognised += 1
                moves.append((uid, mailbox.UNRECOGNISED))
                what = "too large to be a report" if raw is None else _id_of(raw)
                log.info("bounce mailbox: kept an unreadable message for people (%s)", what)
                continue
            effect = await effects.record(incoming, rules, now)
            if effect == "duplicate":
                result.duplicates += 1
            else:
                result.processed += 1
                result.effects[effect] = result.effects.get(effect, 0) + 1
            moves.append((uid, mailbox.PROCESSED))
    finally:
        await mailbox.file(box, moves)
        if pop3:
            left = [uid for uid, folder in moves if folder == mailbox.UNRECOGNISED]
            await kept.remember(box, left, present or ())
    return result


def _id_of(raw: bytes) -> str:
    try:
        return report_id_of(raw, message_from_bytes(raw))
    except Exception:
        return "unparseable"
