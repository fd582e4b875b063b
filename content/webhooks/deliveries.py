"""The ledger of what is owed: one row per endpoint and event, its status, attempts and answer codes."""

import base64
from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from content.webhooks.endpoints import load_endpoint
from content.webhooks.events import PING, record_event
from content.webhooks.schemas import AttemptOut, DeliveryOut, DeliveryPage
from content.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.db import as_utc, utcnow, write_transaction
from core.errors import Invalid, NotFound

_COLUMNS = (
    WebhookDelivery.id,
    WebhookDelivery.event,
    WebhookDelivery.event.type,
    WebhookDelivery.entry_id,
    WebhookDelivery.status,
    WebhookDelivery.attempts,
    WebhookDelivery.last_status_code,
    WebhookDelivery.last_error,
    WebhookDelivery.next_attempt_at,
    WebhookDelivery.last_attempt_at,
    WebhookDelivery.delivered_at,
    WebhookDelivery.created_at,
)


def _cursor(row: dict[str, Any]) -> str:
    moment = as_utc(row["created_at"])
    assert moment is not None
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{row['id']}".encode()).decode("ascii")


def _read_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        moment, delivery_id = base64.urlsafe_b64decode(cursor.encode("ascii")).decode().split("|")
        return as_utc(datetime.fromisoformat(moment)), UUID(delivery_id)  # type: ignore[return-value]
    except (ValueError, UnicodeError):
        raise Invalid("not a cursor this list gave", field="cursor") from None


async def _shape(rows: list[dict[str, Any]]) -> list[DeliveryOut]:
    attempts: dict[UUID, list[AttemptOut]] = defaultdict(list)
    if rows:
        for row in (
            await WebhookAttempt.select(*WebhookAttempt.all_columns())
            .where(WebhookAttempt.delivery.is_in([row["id"] for row in rows]))
            .order_by(WebhookAttempt.number)
        ):
            attempts[row["delivery"]].append(
                AttemptOut(
                    number=row["number"],
                    started_at=as_utc(row["started_at"]),  # type: ignore[arg-type]
                    status_code=row["status_code"],
                    error=row["error"],
                    duration_ms=row["duration_ms"],
                )
            )
    return [
        DeliveryOut(
            id=row["id"],
            event_id=row["event"],
            type=row["event.type"],
            entry_id=row["entry_id"],
            status=row["status"],
            attempts=row["attempts"],
            status_code=row["last_status_code"],
            error=row["last_error"],
            next_attempt_at=as_utc(row["next_attempt_at"]) if row["status"] == "pending" else None,
            last_attempt_at=as_utc(row["last_attempt_at"]),
            delivered_at=as_utc(row["delivered_at"]),
            created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
            log=attempts[row["id"]],
        )
        for row in rows
    ]


async def list_deliveries(endpoint_id: UUID, *, limit: int = 20, cursor: str | None = None) -> DeliveryPage:
    """An endpoint's delivery log, newest first, each with its attempts."""
    await load_endpoint(endpoint_id)
    query = WebhookDelivery.select(*_COLUMNS).where(WebhookDelivery.endpoint == endpoint_id)
    if cursor:
        moment, last_id = _read_cursor(cursor)
        query = query.where(
            (WebhookDelivery.created_at < moment)
            | ((WebhookDelivery.created_at == moment) & (WebhookDelivery.id < last_id))
        )
    rows = (
        await query.order_by(WebhookDelivery.created_at, ascending=False)
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(limit + 1)
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return DeliveryPage(items=await _shape(rows), next_cursor=_cursor(rows[-1]) if more and rows else None)


async def get_delivery(endpoint_id: UUID, delivery_id: UUID) -> DeliveryOut:
    """One delivery of an endpoint, or NotFound."""
    rows = await WebhookDelivery.select(*_COLUMNS).where(
        (WebhookDelivery.id == delivery_id) & (WebhookDelivery.endpoint == endpoint_id)
    )
    if not rows:
        raise NotFound(f"no delivery {delivery_id} of webhook endpoint {endpoint_id}")
    return (await _shape(rows))[0]


async def redeliver(endpoint_id: UUID, delivery_id: UUID) -> DeliveryOut:
    """Owe an event again: a new delivery of it to the same endpoint, due now, with fresh retries."""
    await get_delivery(endpoint_id, delivery_id)
    async with write_transaction():
        event = (
            await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.entry_id)
            .where(WebhookDelivery.id == delivery_id)
            .first()
        )
        assert event is not None
        now = utcnow()
        row = WebhookDelivery(
            endpoint=endpoint_id,
            event=event["event"],
            entry_id=event["entry_id"],
            status="pending",
            next_attempt_at=now,
            created_at=now,
        )
        await row.save()
    return await get_delivery(endpoint_id, row.id)


async def ping(endpoint_id: UUID) -> DeliveryOut:
    """Owe one endpoint a test event."""
    endpoint = await load_endpoint(endpoint_id)
    async with write_transaction():
        event_id = await record_event(
            PING,
            {"endpoint_id": str(endpoint_id), "url": endpoint["url"]},
            endpoint_ids=[endpoint_id],
        )
        row = (
            await WebhookDelivery.select(WebhookDelivery.id).where(WebhookDelivery.event == event_id).first()
        )
    assert row is not None
    return await get_delivery(endpoint_id, row["id"])


async def owed_now(now: datetime | None = None, *, limit: int = 1000) -> list[tuple[UUID, int]]:
    """The deliveries to send now, with their attempts so far: of each endpoint and entry, the oldest
    pending one, if it is due.

    A later delivery for the same entry waits behind an earlier one still retrying, so the website
    never sees an update before the publish it follows. Endpoints turned off owe nothing meanwhile.
    """
    now = now or utcnow()
    rows = (
        await WebhookDelivery.select(
            WebhookDelivery.id,
            WebhookDelivery.endpoint,
            WebhookDelivery.entry_id,
            WebhookDelivery.event.due_at,
            WebhookDelivery.next_attempt_at,
            WebhookDelivery.attempts,
        )
        .where(
            (WebhookDelivery.status == "pending")
            & WebhookDelivery.endpoint.is_in(
                WebhookEndpoint.select(WebhookEndpoint.id).where(WebhookEndpoint.enabled == True)  # noqa: E712
            )
            & (WebhookDelivery.event.due_at <= now)
        )
        .order_by(WebhookDelivery.created_at)
        .limit(limit)
    )
    heads: set[tuple[UUID, UUID | str]] = set()
    due: list[tuple[UUID, int]] = []
    for row in rows:
        chain = (row["endpoint"], row["entry_id"] or row["id"])  # events of no entry are their own chain
        if chain in heads:
            continue
        heads.add(chain)
        if as_utc(row["next_attempt_at"]) <= now:  # type: ignore[operator]
            due.append((row["id"], row["attempts"]))
    return due
