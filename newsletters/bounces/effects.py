"""What a bounce or complaint does: match it to a delivery and subscriber, record it once, suppress.

Hard bounce: the subscriber becomes `bounced` and leaves every list; soft bounces are counted and
make a subscriber `bounced` at the `soft_limit`-th within `soft_window`; complaint: `complained`, off
every list, and (as after erasure) no import or staff member can add the address again. Each is a
consent-history event with the report's reason (`suppression.suppress`), and the delivery row keeps
the late outcome.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Literal
from uuid import UUID

import msgspec
from prometheus_client import Counter

from core.db import utcnow, write_transaction
from core.errors import Invalid
from newsletters.addresses import address_key, masked_address, normalise_address
from newsletters.bounces.verp import Verp
from newsletters.subscriptions import is_unique_violation
from newsletters.suppression import suppress
from newsletters.tables import Bounce, Delivery, Subscriber

Kind = Literal["hard", "soft", "complaint"]
KINDS: Final = ("hard", "soft", "complaint")
BOUNCES: Final = Counter("scmi_bounces_total", "Bounces and complaints that came back", ["kind", "effect"])


@dataclass(frozen=True, slots=True)
class Rules:
    """The keys and limits bounces are handled by (from the settings)."""

    secret_key: str
    soft_limit: int = 3
    soft_window: timedelta = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One bounce or complaint, from the mailbox or a webhook, before it is matched."""

    kind: Kind
    source: str  # mailbox, webhook (the generic one), ses, mailgun
    email: str = ""
    verp: Verp | None = None
    message_ids: tuple[str, ...] = ()
    reason: str = ""
    report_id: str | None = None
    recipients: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Match:
    """Whom and what a bounce was found to be about."""

    subscriber: UUID | None = None
    delivery: UUID | None = None
    campaign: UUID | None = None
    email: str = ""


class BounceOut(msgspec.Struct):
    """One report that came back, as editors and admins read it."""

    id: UUID
    kind: str
    source: str
    email: str
    subscriber: UUID | None
    campaign: UUID | None
    delivery: UUID | None
    reason: str
    effect: str
    created_at: datetime


class BounceIn(msgspec.Struct, forbid_unknown_fields=True):
    """A bounce or complaint from any mail service (the generic webhook)."""

    email: str
    type: Kind
    message_id: str | None = None
    reason: str | None = None


async def _delivery_match(where: Any, *, latest: bool = False) -> Match | None:
    query = Delivery.select(Delivery.id, Delivery.subscriber, Delivery.campaign, Delivery.email).where(where)
    if latest:
        query = query.order_by(Delivery.sent_at, ascending=False)
    row = await query.first()
    if row is None:
        return None
    return Match(
        subscriber=row["subscriber"], delivery=row["id"], campaign=row["campaign"], email=row["email"]
    )


def _bracketed(message_id: str) -> str:
    text = message_id.strip()
    return text if text.startswith("<") else f"<{text}>"


async def match(incoming: Incoming, secret_key: str) -> Match:
    """By VERP token, else by the ledger's Message-ID, else by the original recipient's address.

    Anyone can mail the bounce mailbox, and a token cannot be forged, but an address can: from the
    mailbox, a report that names only an address counts for a subscriber we have mailed (a sent
    delivery row), never for one we have not. The webhook, which holds its token, is believed.
    """
    verp = incoming.verp
    if verp is not None and verp.kind == "d" and (found := await _delivery_match(Delivery.id == verp.id)):
        return found
    if verp is not None and verp.kind == "s":
        return Match(subscriber=verp.id, email=incoming.email)
    if verp is not None and verp.kind == "t":
        return Match(campaign=verp.id, email=incoming.email)  # a test send: no one to suppress
    ids = [_bracketed(each) for each in incoming.message_ids if each.strip()]
    if ids and (found := await _delivery_match(Delivery.message_id.is_in(ids))):
        return found
    for address in (incoming.email, *incoming.recipients):
        if not address:
            continue
        try:
            key = address_key(secret_key, normalise_address(address))
        except Invalid:
            continue
        person = await Subscriber.select(Subscriber.id).where(Subscriber.address_key == key).first()
        if person is None:
            continue
        # The latest message mailed to them is the one most likely answered.
        latest = await _delivery_match(
            (Delivery.subscriber == person["id"]) & (Delivery.status == "sent"), latest=True
        )
        if latest is not None:
            return latest
        if incoming.source != "mailbox":  # a webhook proved who posted it
            return Match(subscriber=person["id"], email=address)
        break
    return Match(email=incoming.email or next(iter(incoming.recipients), ""))


async def _late_outcome(delivery_id: UUID, kind: Kind, now: datetime) -> None:
    values: dict[Any, Any] = {Delivery.late_outcome: kind, Delivery.late_at: now}
    where: Any = Delivery.id == delivery_id
    if kind == "soft":  # a soft bounce does not overwrite a harder outcome already recorded
        where = where & (Delivery.late_outcome == "")
    await Delivery.update(values).where(where)
    if kind == "hard":  # it never arrived: counted with the bounces, not the sent
        await Delivery.update({Delivery.status: "bounced"}).where(
            (Delivery.id == delivery_id) & (Delivery.status == "sent")
        )


async def _soft_bounces(subscriber_id: UUID, since: datetime) -> int:
    return int(
        await Bounce.count().where(
            (Bounce.subscriber == subscriber_id) & (Bounce.kind == "soft") & (Bounce.created_at >= since)
        )
    )


async def record(incoming: Incoming, rules: Rules, now: datetime | None = None) -> str:
    """Apply one bounce or complaint; its effect: bounced, complained, counted, none, or duplicate."""
    now = now or utcnow()
    try:
        effect = await _record(incoming, rules, now)
    except Exception as error:
        if not (incoming.report_id and is_unique_violation(error)):
            raise
        effect = "duplicate"  # the same report, read at the same time by another run
    BOUNCES.labels(kind=incoming.kind, effect=effect).inc()
    return effect


async def _record(incoming: Incoming, rules: Rules, now: datetime) -> str:
    async with write_transaction(Bounce):
        if incoming.report_id and await Bounce.exists().where(Bounce.report_id == incoming.report_id):
            return "duplicate"
        found = await match(incoming, rules.secret_key)
        if found.delivery is not None:
            await _late_outcome(found.delivery, incoming.kind, now)
        effect = "none"
        email = incoming.email
        if found.subscriber is not None:
            effect = await _suppress(found.subscriber, incoming, rules, now)
            # The subscriber's own address (none once erased), not whatever the report spelled.
            person = await Subscriber.select(Subscriber.email).where(Subscriber.id == found.subscriber)
            email = (person[0]["email"] if person else None) or ""
        await Bounce(
            kind=incoming.kind,
            source=incoming.source,
            email=email,
            subscriber=found.subscriber,
            campaign=found.campaign,
            delivery=found.delivery,
            report_id=incoming.report_id,
            reason=incoming.reason[:500],
            effect=effect,
            created_at=now,
        ).save()
    return effect


async def _suppress(subscriber_id: UUID, incoming: Incoming, rules: Rules, now: datetime) -> str:
    source = f"bounce_{incoming.source}"
    if incoming.kind == "complaint":
        await suppress(
            subscriber_id, "complained", source=source, detail=incoming.reason[:300] or "complaint"
        )
        return "complained"
    if incoming.kind == "hard":
        await suppress(subscriber_id, "bounced", source=source, detail=incoming.reason[:300] or "hard bounce")
        return "bounced"
    # This soft bounce is saved after the count: it is the +1.
    earlier = await _soft_bounces(subscriber_id, now - rules.soft_window)
    if earlier + 1 >= rules.soft_limit:
        days = rules.soft_window.days
        detail = f"{earlier + 1} soft bounces in {days} days; last: {incoming.reason}"[:300]
        await suppress(subscriber_id, "bounced", source=source, detail=detail)
        return "bounced"
    return "counted"


def bounce_out(row: dict[str, Any]) -> BounceOut:
    """A bounce row as the API answers it."""
    return BounceOut(
        id=row["id"],
        kind=row["kind"],
        source=row["source"],
        email=row["email"],
        subscriber=row["subscriber"],
        campaign=row["campaign"],
        delivery=row["delivery"],
        reason=row["reason"],
        effect=row["effect"],
        created_at=row["created_at"],
    )


async def list_bounces(
    *, campaign_id: UUID | None = None, kind: str | None = None, limit: int = 100, masked: bool = False
) -> list[BounceOut]:
    """What came back, newest first: of one campaign, or of all; `masked` for readers below admin, who
    never see who is on a list (`n***@example.org`)."""
    query = Bounce.select()
    if campaign_id is not None:
        query = query.where(Bounce.campaign == campaign_id)
    if kind:
        if kind not in KINDS:
            raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
        query = query.where(Bounce.kind == kind)
    rows = (
        await query.order_by(Bounce.created_at, ascending=False)
        .order_by(Bounce.id)
        .limit(max(1, min(limit, 1000)))
    )
    found = [bounce_out(row) for row in rows]
    if masked:
        for each in found:
            each.email = masked_address(each.email) if each.email else ""
    return found


async def from_webhook(data: BounceIn, rules: Rules) -> str:
    """A bounce a mail service posted: matched by its Message-ID, else by the address; the effect."""
    if not data.email.strip():
        raise Invalid("email is required", field="email")
    incoming = Incoming(
        kind=data.type,
        source="webhook",
        email=data.email.strip(),
        message_ids=(data.message_id,) if data.message_id else (),
        reason=(data.reason or f"{data.type} (reported by a mail service)").strip(),
    )
    return await record(incoming, rules)


async def forget(subscriber_id: UUID) -> None:
    """Erasure: the address leaves this person's recorded bounces (inside the caller's transaction)."""
    await Bounce.update({Bounce.email: ""}).where(Bounce.subscriber == subscriber_id)
