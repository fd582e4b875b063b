"""One batch of a sending campaign: claim rows, skip who may no longer be mailed, send, mark.

Sending goes over the caller's transport, which stays open for the caller's next batch; what was sent
is marked in the background while the next rows go out.
"""

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Any, Final
from uuid import UUID

from prometheus_client import Counter

from newsletters.campaigns import ledger
from newsletters.campaigns.audiences import Audience, audience_of
from newsletters.campaigns.config import SendingConfig
from newsletters.campaigns.editions import letter, personal, prepare
from newsletters.campaigns.pacing import NoLimit, RateLimiter
from newsletters.mail.errors import SendFailed
from newsletters.mail.transport import MailTransport
from newsletters.mime import PreparedMessage
from newsletters.suppression import deliverable, suppress
from newsletters.tables import Campaign

MAILS: Final = Counter("scmi_campaign_mails_total", "Campaign mails by outcome", ["outcome"])
SENT: Final = MAILS.labels(outcome="sent")  # looked up once: it is counted for every message
# Rows marked sent together. The marking runs while the next rows are sent (a commit's wait no longer
# stalls the connection), so a worker that dies mid-batch re-sends at most 2 × MARK_EVERY = 20 per
# connection: the rows of the mark in flight and those filling the next one.
MARK_EVERY: Final = 10


@dataclass
class BatchResult:
    """What one batch did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    bounced: int = 0
    claimed: int = 0
    status: str = ""


async def sending_row(campaign_id: UUID, round_: int) -> tuple[dict[str, Any] | None, str]:
    """The campaign's row when it sends in this round, else None and why ("stale", its status, "missing")."""
    row = await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    if row is None:
        return None, "missing"
    if row["status"] != "sending":
        return None, str(row["status"])
    if int(row["round"]) != round_:
        return None, "stale"  # paused and resumed since: this round's jobs stop
    return row, "sending"


def batch_size(config: SendingConfig, per_second: float, seconds: float, most: int | None = None) -> int:
    """Rows to claim: no more than the pace lets go in the batch's `seconds`, nor than `most` (what this
    connection sends in a few seconds), and at least one."""
    size = config.batch_size if most is None else max(1, min(config.batch_size, most))
    if math.isinf(per_second):
        return size
    return max(1, min(size, math.floor(per_second * seconds)))


async def claim(campaign_id: UUID, config: SendingConfig, size: int) -> list[ledger.Claimed]:
    """Claim a batch; a job cancelled while the claim commits gives the rows back instead of holding them."""
    claiming = asyncio.ensure_future(ledger.claim(campaign_id, size, config.lease))
    try:
        return await asyncio.shield(claiming)
    except asyncio.CancelledError:
        await asyncio.wait([claiming])
        if not claiming.cancelled() and claiming.exception() is None:
            await asyncio.shield(ledger.release([row.id for row in claiming.result()]))
        raise


@dataclass
class Marks:
    """What a batch has done with its rows: sent ones are marked MARK_EVERY at a time in the background."""

    campaign_id: UUID
    handled: set[UUID] = field(default_factory=set)
    done: list[tuple[UUID, str]] = field(default_factory=list)
    marking: "asyncio.Future[str | None] | None" = None

    def sent(self, delivery: ledger.Claimed, message_id: str) -> None:
        self.done.append((delivery.id, message_id))
        self.handled.add(delivery.id)

    async def checkpoint(self) -> bool:
        """Wait for the mark in flight, start marking what was sent since; False once the campaign stopped."""
        if self.marking is not None:
            # Shielded: a job cancelled here must still record what it sent.
            status, self.marking = await asyncio.shield(self.marking), None
            if status != "sending":
                return False
        self.marking = asyncio.ensure_future(ledger.mark_sent_and_look(self.done, self.campaign_id))
        self.done = []
        return True

    async def settle(self, untouched: list[UUID]) -> None:
        """Let the mark in flight finish, record the rest of what was sent, give back what was not."""
        marking = self.marking
        if marking is not None:
            await asyncio.wait([marking])
        await ledger.mark_sent(self.done)
        await ledger.release(untouched)
        if marking is not None and not marking.cancelled() and (error := marking.exception()) is not None:
            raise error


async def skip_suppressed(
    claimed: list[ledger.Claimed],
    lists: list[str],
    marks: Marks,
    audience: tuple[Audience, Any] | None = None,
) -> list[ledger.Claimed]:
    """The suppression rule again at send time: whoever left since the ledger was written is skipped
    (for an audience other than lists, by that audience's own rule and spec)."""
    if not claimed:
        return []
    people = list({d.subscriber for d in claimed})
    if audience is not None:
        allowed = await audience[0].deliverable(people, audience[1])
    else:
        allowed = await deliverable(people, lists)
    skipped = [d.id for d in claimed if d.subscriber not in allowed]
    await ledger.mark_skipped(skipped)
    marks.handled.update(skipped)
    return [d for d in claimed if d.subscriber in allowed]


async def record_failure(
    delivery: ledger.Claimed, error: SendFailed, config: SendingConfig, result: BatchResult
) -> None:
    """A 5xx bounces the row and suppresses the subscriber; anything else is deferred (or failed at last)."""
    reason = str(error)
    if error.permanent:
        await ledger.mark_bounced(delivery, reason)
        await suppress(delivery.subscriber, "bounced", source="campaign", detail=reason[:300])
        result.bounced += 1
        MAILS.labels(outcome="bounced").inc()
        return
    outcome = await ledger.mark_deferred(delivery, reason, backoff=config.backoff)
    if outcome == "failed":
        result.failed += 1
    else:
        result.deferred += 1
    MAILS.labels(outcome=outcome).inc()


async def deliver(
    transport: MailTransport,
    sender: str,
    delivery: ledger.Claimed,
    message: bytes,
    message_id: str,
    marks: Marks,
) -> None:
    """Send one message; a job cancelled meanwhile lets it finish and records it (a graceful stop sends no
    one a duplicate), then stops."""
    sending = asyncio.ensure_future(transport.send(sender, [delivery.email], message))
    try:
        await asyncio.shield(sending)
    except asyncio.CancelledError:
        await asyncio.wait([sending])
        if not sending.cancelled() and sending.exception() is None:
            marks.sent(delivery, message_id)
        raise


async def send_rows(
    rows: list[ledger.Claimed],
    row: dict[str, Any],
    messages: dict[str, PreparedMessage],
    config: SendingConfig,
    transport: MailTransport,
    limiter: RateLimiter,
    marks: Marks,
    result: BatchResult,
    stop_at: float,
    audience: Audience | None = None,
) -> None:
    """Send the allowed rows in order until they are done, the time is up or the campaign stopped."""
    pace = not isinstance(limiter, NoLimit)
    for position, delivery in enumerate(rows):
        if position and time.monotonic() >= stop_at:
            break  # the rest is given back, for the next batch
        if position and position % MARK_EVERY == 0 and not await marks.checkpoint():
            break  # paused or cancelled since
        links = (
            audience.links(config.public_url, delivery.name, delivery.token)
            if audience is not None
            else personal(config.public_url, delivery.name, delivery.token, row["slug"])
        )
        message, message_id = letter(messages, delivery.lang, delivery.email, links, config.dkim)
        if pace:
            await limiter.acquire()
        try:
            # Each message its own return path (VERP): a late report names the row it came back for.
            sender = config.return_paths.sender(row["from_address"], "d", delivery.id)
            await deliver(transport, sender, delivery, message, message_id, marks)
        except SendFailed as error:
            marks.handled.add(delivery.id)
            await record_failure(delivery, error, config, result)
            continue
        marks.sent(delivery, message_id)
        result.sent += 1
        SENT.inc()


async def send_batch(
    campaign_id: UUID,
    round_: int,
    config: SendingConfig,
    transport: MailTransport,
    limiter: RateLimiter | None = None,
    most: int | None = None,
) -> BatchResult:
    """Claim one batch of a sending campaign (at most `most` rows when given) and send it over
    `transport` (left open for the next batch).

    A job of an older round (the campaign was paused and resumed since) does nothing.
    """
    result = BatchResult()
    row, result.status = await sending_row(campaign_id, round_)
    if row is None:
        return result
    # The batch stops sending before its claim runs out (leaving room for one slow message): past the
    # lease another batch may claim the rows still unsent here and send them too.
    lease = config.lease.total_seconds()
    seconds = lease - min(config.timeout, lease / 2)
    stop_at = time.monotonic() + seconds
    limiter = limiter or NoLimit()
    claimed = await claim(campaign_id, config, batch_size(config, limiter.per_second, seconds, most))
    result.claimed = len(claimed)
    marks = Marks(campaign_id)
    # From here on every claimed row is either handled or given back, even when the job is
    # cancelled before the first message (a stopping worker's rows would otherwise wait out the lease).
    try:
        audience = audience_of(row, config.audiences)
        spec = (audience, row["audience_spec"]) if audience is not None else None
        allowed = await skip_suppressed(claimed, list(row["lists"]), marks, spec)
        if allowed:
            messages = await prepare(row, config.public_url, audience=audience)
            await send_rows(
                allowed, row, messages, config, transport, limiter, marks, result, stop_at, audience
            )
    finally:
        # Shielded: a worker shutting down cancels its jobs, sometimes twice; what was sent stays sent.
        await asyncio.shield(marks.settle([d.id for d in claimed if d.id not in marks.handled]))
    return result
