"""Mailgun webhooks: the signature (HMAC-SHA256 of timestamp and token under the webhook signing key)
checked, a fresh timestamp and a token used once; `failed` and `complained` events read.

The signature covers only the timestamp and token, not the event: a signature seen once could carry
another event, so each token is spent on first use (`TokenLedger`) and a stale timestamp is refused.
"""

import hashlib
import hmac
import time
from typing import Any, Final, Protocol

import msgspec
from redis.asyncio import Redis

from newsletters.bounces.effects import Incoming, Kind
from newsletters.bounces.refusals import SignatureRefused
from newsletters.bounces.verp import find_verp

FRESH_SECONDS: Final = 15 * 60  # Mailgun signs when it posts; more than this off is a replay or a bad clock
MAX_REASON: Final = 300


class TokenLedger(Protocol):
    """Where spent signature tokens are remembered (for twice the freshness window)."""

    async def spend(self, token: str) -> bool:
        """True the first time a token is seen, False after."""

    async def release(self, token: str) -> None:
        """Forget a token whose event could not be recorded, so Mailgun's retry is taken."""


class RedisTokens:
    """Spent tokens in Redis, shared by every process (SET NX with an expiry)."""

    def __init__(self, redis: Redis, prefix: str = "scmi:hooks:mailgun:") -> None:
        self.redis = redis
        self.prefix = prefix

    def _key(self, token: str) -> str:
        return self.prefix + hashlib.sha256(token.encode()).hexdigest()

    async def spend(self, token: str) -> bool:
        """True the first time a token is seen, False after."""
        return bool(await self.redis.set(self._key(token), b"1", nx=True, ex=2 * FRESH_SECONDS))

    async def release(self, token: str) -> None:
        """Forget a token whose event could not be recorded."""
        await self.redis.delete(self._key(token))


class Signed(msgspec.Struct):
    """Mailgun's `signature` object."""

    timestamp: str
    token: str
    signature: str


class Posted(msgspec.Struct):
    """A Mailgun webhook body: the signature and the event."""

    signature: Signed
    event_data: dict[str, Any] = msgspec.field(name="event-data")


def parse(body: bytes) -> Posted:
    """The webhook's body, or SignatureRefused when it is not Mailgun's shape (not read further)."""
    try:
        return msgspec.json.decode(body, type=Posted)
    except (msgspec.ValidationError, msgspec.DecodeError):
        raise SignatureRefused("not a Mailgun webhook (signature and event-data)") from None


async def verify(posted: Posted, signing_key: str, tokens: TokenLedger, now: float | None = None) -> None:
    """Return when Mailgun signed this just now with our key and the token is new, else SignatureRefused."""
    signed = posted.signature
    expected = hmac.new(
        signing_key.encode(), (signed.timestamp + signed.token).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected.encode(), signed.signature.strip().lower().encode()):
        raise SignatureRefused("the Mailgun signature does not match")
    try:
        stamp = float(signed.timestamp)
    except ValueError:
        raise SignatureRefused("the Mailgun timestamp is not a number") from None
    if abs((time.time() if now is None else now) - stamp) > FRESH_SECONDS:
        raise SignatureRefused("the Mailgun timestamp is not fresh")
    if not await tokens.spend(signed.token):
        raise SignatureRefused("this Mailgun signature was used already")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def incoming(posted: Posted, secret_key: str) -> Incoming | None:
    """The bounce or complaint a (verified) event reports; None for deliveries, opens and the like."""
    event = posted.event_data
    what = _text(event.get("event"))
    kind: Kind
    if what == "complained":
        kind = "complaint"
    elif what == "failed":
        kind = "hard" if _text(event.get("severity")) == "permanent" else "soft"
    else:
        return None
    address = _text(event.get("recipient"))
    if not address:
        return None
    status = _object(event.get("delivery-status"))
    code = status.get("code")
    detail = _text(status.get("description")) or _text(status.get("message")) or _text(event.get("reason"))
    reason = " ".join(filter(None, (str(code) if code else "", detail))) or f"{what} (Mailgun)"
    headers = _object(_object(event.get("message")).get("headers"))
    envelope = _object(event.get("envelope"))
    event_id = _text(event.get("id")) or posted.signature.token
    return Incoming(
        kind=kind,
        source="mailgun",
        email=address,
        verp=find_verp(secret_key, [_text(envelope.get("sender"))]),
        message_ids=tuple(filter(None, (_text(headers.get("message-id")),))),
        reason=reason[:MAX_REASON],
        report_id=f"mailgun:{event_id}"[:300],
        recipients=(address,),
    )
