"""The delivery ledger: one row per recipient written before sending, claimed under a lease, marked after.

A row's life: pending -> claimed -> sent | deferred (a 4xx or a dropped connection; claimed again
after a backoff) | failed (gave up after MAX_ATTEMPTS) | bounced (a 5xx: never retried). A claimed
row whose worker died is claimed again once its lease has expired.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

from piccolo.query.functions.aggregate import Count

from core.db import as_utc, is_sqlite, utcnow, write_transaction
from newsletters.bulk import bulk_insert
from newsletters.campaign_schemas import Counts
from newsletters.suppression import Recipient, recipients
from newsletters.tables import Delivery

BACKOFF: Final = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS: Final = 5
OPEN: Final = ("pending", "claimed", "deferred")
CHUNK: Final = 5000
COLUMNS: Final = ("id", "campaign", "subscriber", "email", "lang", "name", "token", "status", "attempts",
                  "next_attempt_at", "error")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery a batch now holds."""

    id: UUID
    subscriber: UUID
    email: str
    lang: str
    name: str
    token: str
    attempts: int


async def write(
    campaign_id: UUID, list_slugs: list[str], now: datetime, people: AsyncIterator[Recipient] | None = None
) -> int:
    """Write one pending row per person who may receive mail on any of the lists (each once), or per
    person of `people` when given (an audience other than lists).

    Runs inside the caller's write transaction; a campaign that has rows already gets none.
    """
    if await Delivery.exists().where(Delivery.campaign == campaign_id):
        return 0
    written = 0
    rows: list[tuple[Any, ...]] = []
    async for person in people if people is not None else recipients(list_slugs):
        rows.append((uuid.uuid4(), campaign_id, person.id, person.email, person.lang, person.name,
                     person.token, "pending", 0, now, ""))  # fmt: skip
        if len(rows) >= CHUNK:
            await bulk_insert(Delivery, COLUMNS, rows)
            written += len(rows)
            rows = []
    await bulk_insert(Delivery, COLUMNS, rows)
    return written + len(rows)


async def claim(
    campaign_id: UUID, limit: int, lease: timedelta, now: datetime | None = None
) -> list[Claimed]:
    """Take up to `limit` due rows (pending, deferred and due, or claimed with an expired lease)."""
    now = now or utcnow()
    lock = "" if is_sqlite(Delivery) else "FOR UPDATE SKIP LOCKED"
    sql = f"""
        UPDATE delivery SET status = 'claimed', lease_until = {{}}, attempts = attempts + 1
        WHERE id IN (
            SELECT id FROM delivery
            WHERE campaign = {{}} AND (
                (status IN ('pending', 'deferred') AND next_attempt_at <= {{}})
                OR (status = 'claimed' AND lease_until < {{}})
            )
            ORDER BY next_attempt_at LIMIT {{}} {lock}
        )
        RETURNING id, subscriber, email, lang, name, token, attempts
    """  # noqa: S608 (no user input in the text)
    async with write_transaction(Delivery):
        rows = await Delivery.raw(sql, now + lease, campaign_id, now, now, limit)
    return [
        Claimed(
            id=UUID(str(row["id"])),
            subscriber=UUID(str(row["subscriber"])),
            email=row["email"],
            lang=row["lang"],
            name=row["name"],
            token=row["token"],
            attempts=int(row["attempts"]),
        )
        for row in rows
    ]


async def mark_sent(sent: list[tuple[UUID, str]], now: datetime | None = None) -> None:
    """Record deliveries accepted by the server, with their Message-IDs (one driver-level statement)."""
    if not sent:
        return
    now = now or utcnow()
    async with write_transaction(Delivery):
        transaction = Delivery._meta.db.current_transaction.get()
        assert transaction is not None
        connection = transaction.connection
        if is_sqlite(Delivery):
            await connection.executemany(
                "UPDATE delivery SET status = 'sent', message_id = ?, sent_at = ?, lease_until = NULL"
                " WHERE id = ?",
                [(message_id, now, delivery_id) for delivery_id, message_id in sent],
            )
        else:
            await connection.execute(
                "UPDATE delivery SET status = 'sent', message_id = m.message_id, sent_at = $3,"
                " lease_until = NULL FROM unnest($1::uuid[], $2::text[]) AS m(id, message_id)"
                " WHERE delivery.id = m.id",
                [delivery_id for delivery_id, _ in sent],
                [message_id for _, message_id in sent],
                now,
            )


async def mark_sent_and_look(sent: list[tuple[UUID, str]], campaign_id: UUID) -> str | None:
    """`mark_sent`, then the campaign's status; on PostgreSQL one statement, one round trip."""
    if is_sqlite(Delivery):
        await mark_sent(sent)
        rows = await Delivery.raw("SELECT status FROM campaign WHERE id = {}", campaign_id)
    else:
        rows = await Delivery.raw(
            "WITH marked AS (UPDATE delivery SET status = 'sent', message_id = m.message_id,"
            " sent_at = {}, lease_until = NULL FROM unnest({}::uuid[], {}::text[]) AS m(id, message_id)"
            " WHERE delivery.id = m.id) SELECT status FROM campaign WHERE id = {}",
            utcnow(),
            [delivery_id for delivery_id, _ in sent],
            [message_id for _, message_id in sent],
            campaign_id,
        )
    return str(rows[0]["status"]) if rows else None


async def mark_deferred(
    row: Claimed, error: str, now: datetime | None = None, backoff: tuple[timedelta, ...] = BACKOFF
) -> str:
    """A temporary failure: try again after the backoff, or give up after MAX_ATTEMPTS; the new status."""
    now = now or utcnow()
    status = "failed" if row.attempts >= MAX_ATTEMPTS else "deferred"
    delay = backoff[min(row.attempts, len(backoff)) - 1]
    async with write_transaction(Delivery):
        await Delivery.update(
            {Delivery.status: status, Delivery.next_attempt_at: now + delay, Delivery.lease_until: None,
             Delivery.error: error[:500]}
        ).where(Delivery.id == row.id)  # fmt: skip
    return status


async def mark_bounced(row: Claimed, error: str) -> None:
    """A permanent failure: never retried."""
    async with write_transaction(Delivery):
        await Delivery.update(
            {Delivery.status: "bounced", Delivery.lease_until: None, Delivery.error: error[:500]}
        ).where(Delivery.id == row.id)


async def mark_skipped(ids: list[UUID]) -> None:
    """Rows of people who may no longer be mailed (unsubscribed, bounced or erased since the send began)."""
    if not ids:
        return
    async with write_transaction(Delivery):
        await Delivery.update({Delivery.status: "skipped", Delivery.lease_until: None}).where(
            Delivery.id.is_in(ids)
        )


async def forget(subscriber_id: UUID) -> None:
    """Erase a person's address, name and link token from the ledger (inside the caller's transaction)."""
    await Delivery.update(
        {Delivery.email: "", Delivery.name: "", Delivery.token: "", Delivery.status: "skipped"}
    ).where((Delivery.subscriber == subscriber_id) & Delivery.status.is_in(list(OPEN)))
    await Delivery.update({Delivery.email: "", Delivery.name: "", Delivery.token: ""}).where(
        Delivery.subscriber == subscriber_id
    )


async def forget_many(ids: list[UUID]) -> None:
    """`forget` for many ledger people at once (erased registrants), inside the caller's transaction."""
    if not ids:
        return
    await Delivery.update({Delivery.status: "skipped"}).where(
        Delivery.subscriber.is_in(ids) & Delivery.status.is_in(list(OPEN))
    )
    await Delivery.update({Delivery.email: "", Delivery.name: "", Delivery.token: ""}).where(
        Delivery.subscriber.is_in(ids)
    )


async def release(ids: list[UUID]) -> None:
    """Give claimed rows back untouched (a paused or cancelled campaign stops mid-batch)."""
    if not ids:
        return
    async with write_transaction(Delivery):
        await Delivery.update(
            {Delivery.status: "pending", Delivery.lease_until: None, Delivery.attempts: Delivery.attempts - 1}
        ).where(Delivery.id.is_in(ids) & (Delivery.status == "claimed"))


async def counts(campaign_id: UUID) -> Counts:
    """Recipients, sent, failed, bounced, still pending, and skipped (no longer mailable)."""
    by_status = {
        row["status"]: int(row["count"])
        for row in await Delivery.select(Delivery.status, Count(Delivery.id).as_alias("count"))
        .where(Delivery.campaign == campaign_id)
        .group_by(Delivery.status)
    }
    return Counts(
        recipients=sum(by_status.values()),
        sent=by_status.get("sent", 0),
        failed=by_status.get("failed", 0),
        bounced=by_status.get("bounced", 0),
        pending=sum(by_status.get(status, 0) for status in OPEN),
        skipped=by_status.get("skipped", 0),
        complained=int(
            await Delivery.count().where(
                (Delivery.campaign == campaign_id) & (Delivery.late_outcome == "complaint")
            )
        ),
    )


async def open_rows(campaign_id: UUID) -> int:
    """How many rows may still be sent."""
    return int(
        await Delivery.count().where((Delivery.campaign == campaign_id) & Delivery.status.is_in(list(OPEN)))
    )


async def next_due(campaign_id: UUID) -> datetime | None:
    """When the earliest pending or deferred row may be tried; None when none is left to claim."""
    row = (
        await Delivery.select(Delivery.next_attempt_at)
        .where((Delivery.campaign == campaign_id) & Delivery.status.is_in(["pending", "deferred"]))
        .order_by(Delivery.next_attempt_at)
        .first()
    )
    return None if row is None else as_utc(row["next_attempt_at"])
