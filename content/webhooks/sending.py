"""Sending one delivery: claim it, POST it signed (Standard Webhooks), record the answer and what is next."""

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from standardwebhooks.webhooks import Webhook

from content.webhooks.safety import RefusedTarget, Target, resolve
from content.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from core.db import as_utc, utcnow, write_transaction

logger = logging.getLogger("scmi.webhooks")

# Waits after each failed attempt (5 s … 10 h, about 28 h in all); then the delivery is failed.
DEFAULT_RETRY_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000)
# An endpoint that has answered nothing but failures for this long is turned off (and admins told).
DISABLE_AFTER = timedelta(days=5)
USER_AGENT = "SCMI-Newsroom-Webhooks/1"
ANSWER_KEPT = 500  # characters of a failing answer kept in the log


@dataclass(frozen=True)
class SendPolicy:
    """How deliveries are made: timeout, retries, whether inward addresses are allowed."""

    timeout: float = 5.0
    allow_private: bool = False
    retry_seconds: tuple[float, ...] = DEFAULT_RETRY_SECONDS
    disable_after: timedelta = DISABLE_AFTER
    # How long a claimed attempt holds its delivery: past it, a worker that died mid-send is given up on
    # and the delivery is owed again (None: three timeouts and 30 s, well past any live attempt).
    lease_seconds: float | None = None

    @property
    def lease(self) -> timedelta:
        """How long a claimed attempt holds its delivery before another worker may try it."""
        seconds = self.lease_seconds if self.lease_seconds is not None else self.timeout * 3 + 30
        return timedelta(seconds=seconds)


@dataclass
class Outcome:
    """What one run of a delivery did: `sent` (2xx), `retry`, `failed`, or why nothing was tried."""

    status: str
    attempts: int = 0
    endpoint_id: UUID | None = None
    next_attempt_at: datetime | None = None
    status_code: int | None = None
    error: str = ""
    endpoint_disabled: bool = False


def sign(secret: str, message_id: str, moment: datetime, body: str) -> str:
    """The `webhook-signature` header value: `v1,` and the base64 HMAC-SHA256 of id.timestamp.body."""
    return Webhook(secret).sign(message_id, moment, body)


def signed_headers(secret: str, message_id: str, body: str, moment: datetime | None = None) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    moment = moment or utcnow()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": sign(secret, message_id, moment, body),
    }


async def _claim(delivery_id: UUID, policy: SendPolicy, now: datetime) -> dict[str, Any] | None:
    """Take a due delivery for one attempt (counted now, so a worker killed mid-send still counts it)."""
    async with write_transaction():
        row = (
            await WebhookDelivery.select(
                WebhookDelivery.id,
                WebhookDelivery.endpoint,
                WebhookDelivery.entry_id,
                WebhookDelivery.attempts,
                WebhookDelivery.next_attempt_at,
                WebhookDelivery.created_at,
                WebhookDelivery.event,
            )
            .where((WebhookDelivery.id == delivery_id) & (WebhookDelivery.status == "pending"))
            .first()
        )
        if row is None or as_utc(row["next_attempt_at"]) > now:  # type: ignore[operator]
            return None
        if row["entry_id"] is not None:
            earlier = await WebhookDelivery.exists().where(
                (WebhookDelivery.endpoint == row["endpoint"])
                & (WebhookDelivery.entry_id == row["entry_id"])
                & (WebhookDelivery.status == "pending")
                & (WebhookDelivery.created_at < row["created_at"])
                & (WebhookDelivery.event.due_at <= now)
            )
            if earlier:
                return None  # the earlier one goes first; its end enqueues this one
        endpoint = (
            await WebhookEndpoint.select(WebhookEndpoint.url, WebhookEndpoint.secret, WebhookEndpoint.enabled)
            .where(WebhookEndpoint.id == row["endpoint"])
            .first()
        )
        if endpoint is None or not endpoint["enabled"]:
            return None
        event = (
            await WebhookEvent.select(WebhookEvent.id, WebhookEvent.payload)
            .where(WebhookEvent.id == row["event"])
            .output(load_json=True)
            .first()
        )
        assert event is not None
        attempt = row["attempts"] + 1
        # Only if no one claimed it since it was read: on PostgreSQL a second worker's UPDATE waits for
        # the first's row lock, then finds the count changed and takes nothing.
        taken = (
            await WebhookDelivery.update(
                {
                    WebhookDelivery.attempts: attempt,
                    WebhookDelivery.next_attempt_at: now + policy.lease,
                    WebhookDelivery.last_attempt_at: now,
                }
            )
            .where(
                (WebhookDelivery.id == delivery_id)
                & (WebhookDelivery.status == "pending")
                & (WebhookDelivery.attempts == row["attempts"])
            )
            .returning(WebhookDelivery.id)
        )
        if not taken:
            return None
    url, secret = endpoint["url"], endpoint["secret"]
    return {**row, "attempt": attempt, "started_at": now, "url": url, "secret": secret, **event}


async def _post(target: Target, body: str, headers: dict[str, str], seconds: float) -> int:
    """POST to the address already checked, naming the host for the server and its TLS certificate."""
    address = f"[{target.address}]" if ":" in target.address else target.address
    pinned = f"{target.scheme}://{address}:{target.port}{target.path}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    host = target.host if target.port in {80, 443} else f"{target.host}:{target.port}"
    # A client per attempt: no cookie ever carries over; redirects are answers, not followed.
    async with httpx.AsyncClient(timeout=seconds, follow_redirects=False, trust_env=False) as client:
        response = await client.post(
            pinned,
            content=body.encode("utf-8"),
            headers={
                **headers,
                "host": host,
                "content-type": "application/json",
                "user-agent": USER_AGENT,
            },
            extensions=extensions,
        )
        return response.status_code


async def attempt_delivery(delivery_id: UUID, policy: SendPolicy) -> Outcome:
    """Make one attempt at a delivery if it is due and first in its line, and record how it went."""
    now = utcnow()
    claimed = await _claim(delivery_id, policy, now)
    if claimed is None:
        return Outcome(status="skipped")
    body = json.dumps(claimed["payload"], ensure_ascii=False, separators=(",", ":"))
    message_id = f"msg_{claimed['id'].hex}"
    status_code: int | None = None
    error = ""
    started = time.perf_counter()
    try:
        target = await resolve(claimed["url"], allow_private=policy.allow_private)
        headers = signed_headers(claimed["secret"], message_id, body)
        status_code = await _post(target, body, headers, policy.timeout)
        if not 200 <= status_code < 300:
            error = f"answered {status_code}"
    except RefusedTarget as refused:
        error = f"refused: {refused}"
    except httpx.TimeoutException:
        error = f"no answer within {policy.timeout:g} s"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:ANSWER_KEPT]
    duration_ms = round((time.perf_counter() - started) * 1000)
    return await _record(delivery_id, claimed, policy, status_code, error, duration_ms)


async def _record(
    delivery_id: UUID,
    claimed: dict[str, Any],
    policy: SendPolicy,
    status_code: int | None,
    error: str,
    duration_ms: int,
) -> Outcome:
    now = utcnow()
    attempt: int = claimed["attempt"]
    ok = not error
    async with write_transaction():
        await WebhookAttempt(
            delivery=delivery_id,
            number=attempt,
            started_at=claimed["started_at"],
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        ).save()
        values: dict[Any, Any] = {
            WebhookDelivery.last_status_code: status_code,
            WebhookDelivery.last_error: error,
        }
        endpoint_disabled = False
        if ok:
            values |= {WebhookDelivery.status: "delivered", WebhookDelivery.delivered_at: now}
            outcome = Outcome(status="sent", status_code=status_code)
            await WebhookEndpoint.update({WebhookEndpoint.failing_since: None}).where(
                WebhookEndpoint.id == claimed["endpoint"]
            )
        else:
            if attempt > len(policy.retry_seconds):
                values |= {WebhookDelivery.status: "failed"}
                outcome = Outcome(status="failed", status_code=status_code, error=error)
            else:
                wait = timedelta(seconds=policy.retry_seconds[attempt - 1])
                values |= {WebhookDelivery.next_attempt_at: now + wait}
                outcome = Outcome(
                    status="retry", next_attempt_at=now + wait, status_code=status_code, error=error
                )
            endpoint_disabled = await _note_failure(claimed["endpoint"], now, policy)
        await WebhookDelivery.update(values).where(WebhookDelivery.id == delivery_id)
    outcome.endpoint_disabled = endpoint_disabled
    outcome.attempts = attempt
    outcome.endpoint_id = claimed["endpoint"]
    logger.info(
        "webhook delivery %s attempt %d to %s: %s",
        delivery_id,
        attempt,
        claimed["url"],
        outcome.status if ok else f"{outcome.status} ({error})",
    )
    return outcome


async def _note_failure(endpoint_id: UUID, now: datetime, policy: SendPolicy) -> bool:
    """Remember when an endpoint began failing; turn it off when that was too long ago. True: turned off."""
    row = (
        await WebhookEndpoint.select(WebhookEndpoint.failing_since, WebhookEndpoint.enabled)
        .where(WebhookEndpoint.id == endpoint_id)
        .first()
    )
    if row is None:
        return False
    since = as_utc(row["failing_since"])
    if since is None:
        await WebhookEndpoint.update({WebhookEndpoint.failing_since: now}).where(
            WebhookEndpoint.id == endpoint_id
        )
        return False
    if row["enabled"] and now - since >= policy.disable_after:
        days = (now - since).days
        await WebhookEndpoint.update(
            {
                WebhookEndpoint.enabled: False,
                WebhookEndpoint.disabled_reason: f"every delivery failed for {days} days",
                WebhookEndpoint.updated_at: now,
            }
        ).where(WebhookEndpoint.id == endpoint_id)
        return True
    return False
