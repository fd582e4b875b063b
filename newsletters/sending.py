"""Sending a campaign's batch: one reused SMTP connection, results written to the ledger as they come."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Final, Protocol
from uuid import UUID

import aiosmtplib
from prometheus_client import Counter

from newsletters import campaigns, ledger
from newsletters.dkim_signing import DkimKey, sign
from newsletters.mail.outbox import FileOutbox
from newsletters.mail.smtp import SmtpServer, parse_smtp_url
from newsletters.mime import PreparedMessage, Sender
from newsletters.rendering import EditionContent, EditionEntry, Personal, render_edition
from newsletters.suppression import deliverable, suppress
from newsletters.tables import Campaign, MailingList, Template

MAILS: Final = Counter("scmi_campaign_mails_total", "Campaign mails by outcome", ["outcome"])
SENT: Final = MAILS.labels(outcome="sent")  # looked up once: it is counted for every message
# Rows marked sent together. The marking runs while the next rows are sent (a commit's wait no longer
# stalls the connection), so a worker that dies mid-batch re-sends at most 2 × MARK_EVERY = 20 per
# connection: the rows of the mark in flight and those filling the next one.
MARK_EVERY: Final = 10


class RateLimiter(Protocol):
    """Something that waits until one more message may go to the SMTP server."""

    async def acquire(self) -> int: ...


class NoLimit:
    """No pacing."""

    async def acquire(self) -> int:
        return 0


class RedisRate:
    """A messages-per-second limit shared by every worker: a counter per second in Redis.

    Every worker INCRs the current second's key; the first `per_second` callers go, the rest wait
    for the next second and try again. `clock` and `sleep` are there for tests.
    """

    def __init__(
        self,
        redis: Any,
        key: str,
        per_second: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.redis, self.key, self.per_second = redis, key, per_second
        self.clock, self.sleep = clock, sleep

    async def acquire(self) -> int:
        """Wait for a free place; the second (Unix time) it was granted in."""
        while True:
            now = self.clock()
            second = int(now)
            slot = f"{self.key}:{second}"
            count = await self.redis.incr(slot)
            if count == 1:
                await self.redis.expire(slot, 5)
            if count <= self.per_second:
                return second
            await self.sleep(second + 1 - now)


@dataclass(frozen=True)
class MailConfig:
    """What a batch needs from the settings."""

    smtp_url: str  # empty: messages go to .eml files in outbox_dir (the embedded default)
    public_url: str
    outbox_dir: Path | None = None
    batch_size: int = 200
    lease: timedelta = timedelta(minutes=5)
    dkim: DkimKey | None = None
    timeout: float = 30.0
    backoff: tuple[timedelta, ...] = ledger.BACKOFF  # waits before the 2nd, 3rd... try of a deferred row


@dataclass
class BatchResult:
    """What one batch did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    bounced: int = 0
    claimed: int = 0
    status: str = ""


_cache: dict[tuple[UUID, int], dict[str, PreparedMessage]] = {}


def edition_content(row: dict[str, Any], lang: str) -> EditionContent:
    """A campaign's frozen content in one language."""
    frozen = row["content"].get(lang, {})
    return EditionContent(
        lang=lang,
        subject=row[f"subject_{lang}"],
        intro=row[f"intro_{lang}"],
        entries=[
            EditionEntry(title=e["title"], summary=e["summary"], url=e["url"], kind=e.get("kind", "news"))
            for e in frozen.get("entries", [])
        ],
        archive_url=frozen.get("archive_url", ""),
    )


async def prepare(row: dict[str, Any], public_url: str, *, test: bool = False) -> dict[str, PreparedMessage]:
    """Render the campaign once per language (cached per round)."""
    key = (row["id"], int(row["round"]))
    if key in _cache and not test:
        return _cache[key]
    template = await Template.select(Template.mjml).where(Template.id == row["template"]).first()
    assert template is not None
    host = public_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    lists = await MailingList.select(MailingList.slug, MailingList.name_en).where(
        MailingList.slug.is_in(row["lists"])
    )
    list_name = ", ".join(each["name_en"] for each in lists)
    sender = Sender(
        from_name=row["from_name"], from_address=row["from_address"],
        list_id=f"{'-'.join(sorted(row['lists']))}.{host}", reply_to=row["reply_to"],
    )  # fmt: skip
    messages = {}
    for lang in campaigns.LANGS:
        content = edition_content(row, lang)
        if test:
            content = EditionContent(**{**content.__dict__, "subject": f"[TEST] {content.subject}"})
        messages[lang] = PreparedMessage(
            render_edition(template["mjml"], content), sender, list_name=list_name
        )
    if not test:
        if len(_cache) > 32:
            _cache.clear()
        _cache[key] = messages
    return messages


def personal(public_url: str, name: str, token: str) -> Personal:
    """The recipient's own links."""
    return Personal(
        name=name,
        unsubscribe_url=f"{public_url}/subscriptions/unsubscribe/{token}",
        preferences_url=f"{public_url}/subscriptions/preferences/{token}",
    )


class MailClient(Protocol):
    """What sending needs of a connection: aiosmtplib's SMTP, or the outbox standing in for it."""

    @property
    def is_connected(self) -> bool: ...

    async def sendmail(
        self, sender: str, recipients: list[str], message: bytes, /, *, mail_options: list[str] | None = None
    ) -> Any: ...

    async def quit(self) -> Any: ...

    def close(self) -> None: ...


class OutboxClient:
    """Without SMTP_URL, each message becomes an .eml file, so `make run` can send newsletters too."""

    def __init__(self, directory: Path) -> None:
        self.outbox = FileOutbox(directory)
        self.is_connected = True

    async def sendmail(
        self, sender: str, recipients: list[str], message: bytes, /, *, mail_options: list[str] | None = None
    ) -> None:
        await self.outbox.send_bytes(sender, recipients, message)

    async def quit(self) -> None:
        self.is_connected = False

    def close(self) -> None:
        self.is_connected = False


async def open_client(config: MailConfig) -> MailClient:
    """An SMTP connection when SMTP_URL is set, else the outbox."""
    if not config.smtp_url:
        if config.outbox_dir is None:
            raise ValueError("no SMTP_URL and no outbox directory")
        return OutboxClient(config.outbox_dir)
    return await connect(parse_smtp_url(config.smtp_url), config.timeout)


async def connect(server: SmtpServer, wait: float) -> aiosmtplib.SMTP:
    """One SMTP connection, TLS where the server offers it."""
    client = aiosmtplib.SMTP(
        hostname=server.host, port=server.port, use_tls=server.implicit_tls,
        start_tls=False if server.implicit_tls else None, timeout=wait,
    )  # fmt: skip
    await client.connect()
    if server.username and server.password:
        await client.login(server.username, server.password)
    return client


def _is_permanent(error: Exception) -> bool:
    code = getattr(error, "code", None)
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        code = error.recipients[0].code if error.recipients else None
    return isinstance(code, int) and 500 <= code < 600


class Connection:
    """One SMTP connection (or the outbox) that a job keeps across its batches, opened on first use."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self.client: MailClient | None = None

    async def get(self) -> MailClient:
        """The open connection, (re)connecting when there is none or the server dropped it."""
        if self.client is None or not self.client.is_connected:
            self.client = await open_client(self.config)
        return self.client

    def drop(self) -> None:
        """Forget a connection that failed, so the next message opens a new one."""
        self.client = None

    async def close(self) -> None:
        """Say QUIT (or just close the socket when the server is gone)."""
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


async def mark_and_look(sent: list[tuple[UUID, str]], campaign_id: UUID) -> str | None:
    """Record sent rows, then read the campaign's status (paused or cancelled since?)."""
    return await ledger.mark_sent_and_look(sent, campaign_id)


async def settle(
    marking: "asyncio.Future[str | None] | None", sent: list[tuple[UUID, str]], untouched: list[UUID]
) -> None:
    """Let the mark in flight finish, record the rest of what was sent, give back what was not."""
    if marking is not None:
        await asyncio.wait([marking])
    await ledger.mark_sent(sent)
    await ledger.release(untouched)
    if marking is not None and not marking.cancelled() and (error := marking.exception()) is not None:
        raise error


async def _claim(campaign_id: UUID, config: MailConfig) -> list[ledger.Claimed]:
    """Claim a batch; a job cancelled while the claim commits gives the rows back instead of holding them."""
    claiming = asyncio.ensure_future(ledger.claim(campaign_id, config.batch_size, config.lease))
    try:
        return await asyncio.shield(claiming)
    except asyncio.CancelledError:
        await asyncio.wait([claiming])
        if not claiming.cancelled() and claiming.exception() is None:
            await asyncio.shield(ledger.release([row.id for row in claiming.result()]))
        raise


async def send_batch(
    campaign_id: UUID,
    round_: int,
    config: MailConfig,
    limiter: RateLimiter | None = None,
    *,
    connection: Connection | None = None,
) -> BatchResult:
    """Claim one batch of a sending campaign and send it over one connection.

    With `connection`, the batch uses it and leaves it open for the caller's next batch; without,
    it opens its own and closes it at the end. A job of an older round (the campaign was paused
    and resumed since) does nothing.
    """
    if connection is None:
        own = Connection(config)
        try:
            return await send_batch(campaign_id, round_, config, limiter, connection=own)
        finally:
            await own.close()
    limiter = limiter or NoLimit()
    result = BatchResult()
    row = await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    if row is None or row["status"] != "sending" or int(row["round"]) != round_:
        result.status = (
            "stale" if row and row["status"] == "sending" else (row["status"] if row else "missing")
        )
        return result
    # The batch stops sending before its claim runs out (leaving room for one slow message): past the
    # lease another batch may claim the rows still unsent here and send them too.
    lease = config.lease.total_seconds()
    stop_at = time.monotonic() + lease - min(config.timeout, lease / 2)
    claimed = await _claim(campaign_id, config)
    result.claimed = len(claimed)
    done: list[tuple[UUID, str]] = []
    handled: set[UUID] = set()
    marking: asyncio.Future[str | None] | None = None
    # From here on every claimed row is either handled or given back, even when the job is
    # cancelled before the first message (a stopping worker's rows would otherwise wait out the lease).
    try:
        # The suppression rule again at send time: whoever left since the ledger was written is skipped.
        allowed = await deliverable(list({d.subscriber for d in claimed}), list(row["lists"]))
        skipped = [d.id for d in claimed if d.subscriber not in allowed]
        await ledger.mark_skipped(skipped)
        handled.update(skipped)
        if len(skipped) == len(claimed):
            result.status = "sending"
            return result
        messages = await prepare(row, config.public_url)
        pace = not isinstance(limiter, NoLimit)
        sender = row["from_address"]
        ascii_sender = sender.isascii()
        for position, delivery in enumerate(d for d in claimed if d.subscriber in allowed):
            if position and time.monotonic() >= stop_at:
                break  # the rest is given back below, for the next batch
            if position and position % MARK_EVERY == 0:
                if marking is not None:
                    # Shielded: a job cancelled here must still record what it sent.
                    status, marking = await asyncio.shield(marking), None
                    if status != "sending":
                        break
                marking, done = asyncio.ensure_future(mark_and_look(done, campaign_id)), []
            message, message_id = messages[delivery.lang if delivery.lang in messages else "ka"].personalise(
                delivery.email, personal(config.public_url, delivery.name, delivery.token)
            )
            if config.dkim is not None:
                message = sign(message, config.dkim)
            if pace:
                await limiter.acquire()
            try:
                client = await connection.get()
                international = not ascii_sender or not delivery.email.isascii()
                options = ["SMTPUTF8"] if international else None
                sending = asyncio.ensure_future(
                    client.sendmail(sender, [delivery.email], message, mail_options=options)
                )
                try:
                    await asyncio.shield(sending)
                except asyncio.CancelledError:
                    # A worker shutting down lets the message in flight finish and records it, so a
                    # graceful stop sends no one a duplicate.
                    await asyncio.wait([sending])
                    if not sending.cancelled() and sending.exception() is None:
                        done.append((delivery.id, message_id))
                        handled.add(delivery.id)
                    raise
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
                handled.add(delivery.id)
                if _is_permanent(error):
                    await ledger.mark_bounced(delivery, str(error))
                    await suppress(delivery.subscriber, "bounced", source="campaign", detail=str(error)[:300])
                    result.bounced += 1
                    MAILS.labels(outcome="bounced").inc()
                else:
                    outcome = await ledger.mark_deferred(delivery, str(error), backoff=config.backoff)
                    if outcome == "failed":
                        result.failed += 1
                    else:
                        result.deferred += 1
                    MAILS.labels(outcome=outcome).inc()
                    if isinstance(error, aiosmtplib.SMTPServerDisconnected | OSError | TimeoutError):
                        connection.drop()
                continue
            done.append((delivery.id, message_id))
            handled.add(delivery.id)
            result.sent += 1
            SENT.inc()
    finally:
        # Shielded: a worker shutting down cancels its jobs, sometimes twice; what was sent stays sent.
        await asyncio.shield(settle(marking, done, [d.id for d in claimed if d.id not in handled]))
    result.status = "sending"
    return result


async def send_test(campaign_id: UUID, addresses: list[str], config: MailConfig, lang: str | None) -> int:
    """Mail the campaign to some addresses, marked [TEST] and kept out of the ledger and counts."""
    row = await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    if row is None:
        return 0
    messages = await prepare(row, config.public_url, test=True)
    client = await open_client(config)
    try:
        for address in addresses:
            message, _ = messages[lang or "ka"].personalise(address, personal(config.public_url, "", "test"))
            message = b"X-SCMI-Test: yes\r\n" + message
            if config.dkim is not None:
                message = sign(message, config.dkim)
            await client.sendmail(row["from_address"], [address], message)
    finally:
        await client.quit()
    return len(addresses)
