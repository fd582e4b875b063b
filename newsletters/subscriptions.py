"""The public side of subscribing: sign-up (double opt-in), confirmation, unsubscribe, preferences."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

from core.db import utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound
from newsletters import consent, lists, memberships
from newsletters.addresses import address_key, masked_address, normalise_address
from newsletters.consent import Origin
from newsletters.subscriber_schemas import ListChoice, PreferencesIn, SubscribeIn, SubscriptionState
from newsletters.tables import Campaign, Membership, Subscriber
from newsletters.tokens import new_subscriber_token, read_confirmation_token

# At most one confirmation mail per address in this time, however often the form is sent.
CONFIRMATION_INTERVAL: Final = timedelta(minutes=10)
SUPPRESSED: Final = frozenset({"unsubscribed", "bounced", "complained", "erased"})

Enqueue = Callable[[UUID], Awaitable[None]]


async def subscribe(data: SubscribeIn, *, secret_key: str, origin: Origin, enqueue: Enqueue) -> None:
    """Record a sign-up and, at most every ten minutes, queue a confirmation mail.

    The caller answers the same whatever happens here, so nothing tells a stranger whether the
    address was known. A stranger cannot change a known subscriber's name or language either.
    Two first sign-ups of one address at once (PostgreSQL) clash on its key: the loser tries again
    and finds the winner's row.
    """
    try:
        await _subscribe(data, secret_key=secret_key, origin=origin, enqueue=enqueue)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        await _subscribe(data, secret_key=secret_key, origin=origin, enqueue=enqueue)


def is_unique_violation(error: BaseException) -> bool:
    """Whether a driver error is a broken unique constraint (asyncpg or sqlite3)."""
    name = type(error).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(error))


async def _subscribe(data: SubscribeIn, *, secret_key: str, origin: Origin, enqueue: Enqueue) -> None:
    if not data.consent:
        raise Invalid("consent must be given to subscribe", field="consent")
    address = normalise_address(data.email)
    key = address_key(secret_key, address)
    now = utcnow()
    async with write_transaction(Subscriber):
        list_ids = await lists.list_ids(data.lists, public_only=True)
        row = await Subscriber.select().where(Subscriber.address_key == key).first()
        if row is None:
            subscriber = Subscriber(
                address_key=key,
                email=address,
                name=data.name.strip(),
                organisation=data.organisation.strip(),
                lang=data.lang,
                status="pending",
                token=new_subscriber_token(),
                basis="double opt-in",
                created_at=now,
                updated_at=now,
            )
            await subscriber.save()
            subscriber_id, status, sent_at = subscriber.id, "pending", None
        else:
            subscriber_id, status, sent_at = row["id"], row["status"], row["confirmation_sent_at"]
            changes = _resubscription_changes(row, data, address, now)
            if changes:
                status = str(changes.get(Subscriber.status, status))
                await Subscriber.update(changes).where(Subscriber.id == subscriber_id)
        current = await memberships.memberships_of(subscriber_id)
        await memberships.set_status(
            subscriber_id, list_ids, "pending", now, current=current, keep_active=True
        )
        wanted = [slug for slug in data.lists if current.get(slug, {}).get("status") != "active"]
        await consent.record(
            subscriber_id, "subscribe", origin, lang=data.lang, lists=list(list_ids), purpose="subscribe"
        )
        due = sent_at is None or now - sent_at >= CONFIRMATION_INTERVAL
        must_confirm = status == "pending" or bool(wanted)
        if must_confirm and due:
            await Subscriber.update({Subscriber.confirmation_sent_at: now}).where(
                Subscriber.id == subscriber_id
            )
    if must_confirm and due:
        await enqueue(subscriber_id)


def _resubscription_changes(
    row: dict[str, Any], data: SubscribeIn, address: str, now: datetime
) -> dict[Any, Any]:
    """What a new sign-up may change on a known subscriber: only a pending or left one is reset."""
    if row["status"] == "active":
        return {}
    changes: dict[Any, Any] = {Subscriber.status: "pending", Subscriber.updated_at: now}
    if row["status"] in {"pending", "erased"}:
        # Nobody has confirmed these details yet (or they were erased): the newest sign-up's stand.
        changes |= {
            Subscriber.email: address,
            Subscriber.name: data.name.strip(),
            Subscriber.organisation: data.organisation.strip(),
            Subscriber.lang: data.lang,
        }
    if row["status"] == "erased":
        changes |= {Subscriber.token: new_subscriber_token(), Subscriber.erased_at: None}
    return changes


async def awaiting_confirmation(token: str, *, secret_key: str) -> SubscriptionState:
    """What the mailed confirmation link's page shows (its lists, pending ones marked); reads only.

    Mail link scanners open every link with GET: this is all a GET does, so nothing is confirmed
    and nothing recorded until the person presses the page's button (`confirm`).
    """
    subscriber_id = read_confirmation_token(secret_key, token, utcnow())
    row = await Subscriber.select(Subscriber.status).where(Subscriber.id == subscriber_id).first()
    if row is None or row["status"] == "erased":
        raise NotFound("this confirmation link is not valid")
    return await state_of(subscriber_id)


async def confirm(token: str, *, secret_key: str, origin: Origin) -> SubscriptionState:
    """Confirm a sign-up (the confirmation page's POST): the subscriber and pending lists become active."""
    now = utcnow()
    subscriber_id = read_confirmation_token(secret_key, token, now)
    async with write_transaction(Subscriber):
        row = await Subscriber.select().where(Subscriber.id == subscriber_id).first()
        if row is None or row["status"] == "erased":
            raise NotFound("this confirmation link is not valid")
        current = await memberships.memberships_of(subscriber_id)
        pending = {slug: item for slug, item in current.items() if item["status"] == "pending"}
        if row["status"] != "active" or pending:
            if row["status"] != "active" and not pending:
                raise Conflict("this sign-up was withdrawn; subscribe again to get a new link")
            await _activate(subscriber_id, pending, now)
            await Subscriber.update(
                {
                    Subscriber.status: "active",
                    Subscriber.confirmed_at: now,
                    Subscriber.unsubscribed_at: None,
                    Subscriber.updated_at: now,
                }
            ).where(Subscriber.id == subscriber_id)
            await consent.record(
                subscriber_id, "confirm", origin, lang=row["lang"], lists=list(pending), purpose="subscribe"
            )
    return await state_of(subscriber_id)


async def _activate(subscriber_id: UUID, pending: dict[str, dict[str, Any]], now: datetime) -> None:
    if pending:
        await Membership.update(
            {Membership.status: "active", Membership.subscribed_at: now, Membership.updated_at: now}
        ).where(Membership.id.is_in([item["id"] for item in pending.values()]))


async def subscriber_by_token(token: str) -> dict[str, Any]:
    """The subscriber a link token belongs to; `NotFound` for an unknown or erased one."""
    if not 20 <= len(token) <= 64:
        raise NotFound("this link is not valid")
    row: dict[str, Any] | None = await Subscriber.select().where(Subscriber.token == token).first()
    if row is None or row["status"] == "erased":
        raise NotFound("this link is not valid")
    return row


async def state_of(subscriber_id: UUID) -> SubscriptionState:
    """The status, language and public lists (ticked where the subscriber is on them) of a subscriber."""
    row = (
        await Subscriber.select(Subscriber.status, Subscriber.lang, Subscriber.token, Subscriber.email)
        .where(Subscriber.id == subscriber_id)
        .first()
    )
    if row is None or row["token"] is None:
        raise NotFound("this link is not valid")
    current = await memberships.memberships_of(subscriber_id)
    lang = row["lang"]
    choices = [
        ListChoice(
            slug=item["slug"],
            name=item[f"name_{lang}"],
            description=item[f"description_{lang}"],
            subscribed=current.get(item["slug"], {}).get("status") in {"active", "pending"},
            pending=current.get(item["slug"], {}).get("status") == "pending",
        )
        for item in await lists.public_lists()
    ]
    return SubscriptionState(
        status=row["status"],
        lang=lang,
        lists=choices,
        token=row["token"],
        address=masked_address(row["email"] or ""),
    )


async def state_by_token(token: str) -> SubscriptionState:
    """What the unsubscribe and preferences pages show for a link token."""
    return await state_of((await subscriber_by_token(token))["id"])


async def campaign_lists(slug: str) -> list[str] | None:
    """The lists a campaign went to, by its slug (named in its unsubscribe links); None if unknown."""
    if not slug or len(slug) > 100:
        return None
    row = await Campaign.select(Campaign.lists).where(Campaign.slug == slug).output(load_json=True).first()
    return None if row is None else [str(each) for each in row["lists"] or []]


async def unsubscribe(
    token: str, *, origin: Origin, only: list[str] | None = None
) -> tuple[SubscriptionState, list[str]]:
    """Leave the lists in `only` (a campaign's), or every list; doing it twice changes nothing.

    Returns the state after, and the slugs left by this request. Whoever is on no list afterwards
    is unsubscribed; someone who left some lists stays active on the others.
    """
    now = utcnow()
    async with write_transaction(Subscriber):
        row = await subscriber_by_token(token)
        if only is None:
            left = await memberships.leave_all(row["id"], now)
            remaining: list[str] = []
        else:
            current = await memberships.memberships_of(row["id"])
            on = {slug for slug, item in current.items() if item["status"] in {"active", "pending"}}
            left = await memberships.leave_all(row["id"], now, keep=on - set(only))
            remaining = sorted(on - set(left))
        if not remaining and (row["status"] != "unsubscribed" or left):
            await Subscriber.update(
                {
                    Subscriber.status: "unsubscribed",
                    Subscriber.unsubscribed_at: now,
                    Subscriber.updated_at: now,
                }
            ).where(Subscriber.id == row["id"])
            await consent.record(
                row["id"], "unsubscribe", origin, lang=row["lang"], lists=left, purpose="unsubscribe"
            )
        elif left:
            await Subscriber.update({Subscriber.updated_at: now}).where(Subscriber.id == row["id"])
            await consent.record(row["id"], "leave", origin, lang=row["lang"], lists=left, purpose="leave")
    return await state_of(row["id"]), left


async def change_preferences(token: str, data: PreferencesIn, *, origin: Origin) -> SubscriptionState:
    """Change language and lists; only a confirmed subscriber may join lists here (else: subscribe)."""
    now = utcnow()
    async with write_transaction(Subscriber):
        row = await subscriber_by_token(token)
        list_ids = await lists.list_ids(data.lists, public_only=True)
        current = await memberships.memberships_of(row["id"])
        on_lists = {slug for slug, item in current.items() if item["status"] in {"active", "pending"}}
        joining = set(list_ids) - on_lists
        if joining and row["status"] != "active":
            raise Conflict("to join lists again, subscribe again and confirm from the mail", field="lists")
        public = {item["slug"] for item in await lists.public_lists()}
        left = await memberships.leave_all(row["id"], now, keep=set(list_ids) | (on_lists - public))
        await memberships.set_status(row["id"], list_ids, "active", now, current=current, keep_active=True)
        if row["lang"] != data.lang:
            await Subscriber.update({Subscriber.lang: data.lang, Subscriber.updated_at: now}).where(
                Subscriber.id == row["id"]
            )
        if joining or left or row["lang"] != data.lang:
            await consent.record(
                row["id"], "preferences", origin, lang=data.lang, lists=list(list_ids), purpose="preferences"
            )
    return await state_of(row["id"])
