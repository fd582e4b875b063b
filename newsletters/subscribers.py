"""Subscribers as staff manage them: search, add on a recorded basis, edit, erase."""

from typing import Any, Final
from uuid import UUID

from msgspec import UNSET
from piccolo.columns.combination import WhereRaw

from core.db import is_sqlite, utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound
from newsletters import consent, lists, memberships
from newsletters.addresses import address_key, normalise_address
from newsletters.bounces import effects as bounce_effects
from newsletters.campaigns import ledger
from newsletters.consent import Origin
from newsletters.press import access as press_access
from newsletters.subscriber_schemas import SubscriberIn, SubscriberOut, SubscriberPage, SubscriberPatch
from newsletters.subscriptions import SUPPRESSED
from newsletters.tables import MailingList, Membership, Subscriber
from newsletters.tokens import new_subscriber_token

STATUSES: Final = ("pending", "active", "unsubscribed", "bounced", "complained", "erased")


def subscriber_out(row: dict[str, Any], places: dict[str, dict[str, Any]]) -> SubscriberOut:
    """A subscriber row and its memberships as admins read them."""
    return SubscriberOut(
        id=row["id"],
        email=row["email"],
        name=row["name"],
        organisation=row["organisation"],
        lang=row["lang"],
        status=row["status"],
        basis=row["basis"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        confirmed_at=row["confirmed_at"],
        unsubscribed_at=row["unsubscribed_at"],
        erased_at=row["erased_at"],
        lists=memberships.memberships_out(places),
    )


async def get_subscriber(subscriber_id: UUID) -> SubscriberOut:
    """One subscriber with their lists."""
    row = await Subscriber.select().where(Subscriber.id == subscriber_id).first()
    if row is None:
        raise NotFound("no such subscriber")
    return subscriber_out(row, await memberships.memberships_of(subscriber_id))


async def search_subscribers(
    *,
    q: str | None = None,
    status: str | None = None,
    list_slug: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> SubscriberPage:
    """Subscribers whose address, name or organisation contains `q`, by status and list, by id."""
    query = Subscriber.select()
    if q:
        # `%`, `_` and `\` in what was typed are meant literally, not as LIKE's wildcards.
        typed = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # SQLite's LIKE already ignores (ASCII) case; PostgreSQL needs ILIKE.
        like = "LIKE" if is_sqlite(Subscriber) else "ILIKE"
        pattern = f"%{typed}%"
        query = query.where(
            WhereRaw(
                f"(email {like} {{}} ESCAPE '\\' OR name {like} {{}} ESCAPE '\\'"
                f" OR organisation {like} {{}} ESCAPE '\\')",
                pattern,
                pattern,
                pattern,
            )
        )
    if status:
        if status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}", field="status")
        query = query.where(Subscriber.status == status)
    if list_slug:
        list_row = await MailingList.select(MailingList.id).where(MailingList.slug == list_slug).first()
        if list_row is None:
            raise Invalid(f"unknown list {list_slug!r}", field="list")
        on_list = Membership.select(Membership.subscriber).where(
            (Membership.mailing_list == list_row["id"]) & Membership.status.is_in(["active", "pending"])
        )
        query = query.where(Subscriber.id.is_in(on_list))
    if cursor:
        try:
            query = query.where(Subscriber.id > UUID(cursor))
        except ValueError as error:
            raise Invalid("not a cursor this API gave out", field="cursor") from error
    rows = await query.order_by(Subscriber.id).limit(limit + 1)
    page = rows[:limit]
    places = await _memberships_by_subscriber([row["id"] for row in page])
    return SubscriberPage(
        items=[subscriber_out(row, places.get(row["id"], {})) for row in page],
        next_cursor=str(page[-1]["id"]) if len(rows) > limit else None,
    )


async def _memberships_by_subscriber(ids: list[UUID]) -> dict[UUID, dict[str, dict[str, Any]]]:
    if not ids:
        return {}
    rows = await Membership.select(
        Membership.subscriber,
        Membership.status,
        Membership.subscribed_at,
        Membership.unsubscribed_at,
        Membership.mailing_list.slug.as_alias("slug"),
    ).where(Membership.subscriber.is_in(ids))
    grouped: dict[UUID, dict[str, dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["subscriber"], {})[row["slug"]] = row
    return grouped


async def add_subscriber(data: SubscriberIn, *, secret_key: str, origin: Origin) -> SubscriberOut:
    """Add an active subscriber on a recorded legal basis; a known or suppressed address is refused."""
    address = normalise_address(data.email)
    key = address_key(secret_key, address)
    now = utcnow()
    async with write_transaction(Subscriber):
        list_ids = await lists.list_ids(data.lists, public_only=False)
        existing = await Subscriber.select(Subscriber.status).where(Subscriber.address_key == key).first()
        if existing is not None:
            if existing["status"] in SUPPRESSED:
                raise Conflict(
                    "this address left or was erased; only the person can subscribe it again", field="email"
                )
            raise Conflict("this address is already a subscriber", field="email")
        subscriber = Subscriber(
            address_key=key,
            email=address,
            name=data.name.strip(),
            organisation=data.organisation.strip(),
            lang=data.lang,
            status="active",
            token=new_subscriber_token(),
            basis=data.basis.strip(),
            created_at=now,
            updated_at=now,
            confirmed_at=now,
        )
        await subscriber.save()
        await memberships.set_status(subscriber.id, list_ids, "active", now, current={})
        await consent.record(
            subscriber.id, "staff_add", origin, lang=data.lang, lists=list(list_ids), basis=data.basis.strip()
        )
    return await get_subscriber(subscriber.id)


async def edit_subscriber(subscriber_id: UUID, data: SubscriberPatch, *, origin: Origin) -> SubscriberOut:
    """Change name, organisation, language or lists; joining lists needs an active subscriber."""
    now = utcnow()
    async with write_transaction(Subscriber):
        row = await Subscriber.select().where(Subscriber.id == subscriber_id).first()
        if row is None:
            raise NotFound("no such subscriber")
        if row["status"] == "erased":
            raise Conflict("an erased subscriber cannot be edited")
        values: dict[Any, Any] = {Subscriber.updated_at: now}
        if data.name is not UNSET:
            values[Subscriber.name] = data.name.strip()
        if data.organisation is not UNSET:
            values[Subscriber.organisation] = data.organisation.strip()
        if data.lang is not UNSET:
            values[Subscriber.lang] = data.lang
        await Subscriber.update(values).where(Subscriber.id == subscriber_id)
        if data.lists is not UNSET:
            list_ids = await lists.list_ids(data.lists, public_only=False)
            current = await memberships.memberships_of(subscriber_id)
            joining = {
                slug for slug in list_ids if current.get(slug, {}).get("status") not in {"active", "pending"}
            }
            if joining and row["status"] != "active":
                raise Conflict("only an active subscriber can be put on lists", field="lists")
            if joining and data.basis is UNSET:
                raise Invalid("putting a subscriber on a list needs the basis for it", field="basis")
            left = await memberships.leave_all(subscriber_id, now, keep=set(list_ids))
            await memberships.set_status(
                subscriber_id, list_ids, "active", now, current=current, keep_active=True
            )
            if joining or left:
                basis = "" if data.basis is UNSET else data.basis.strip()
                await consent.record(
                    subscriber_id, "staff_edit", origin, lang=row["lang"], lists=list(list_ids), basis=basis
                )
    return await get_subscriber(subscriber_id)


async def erase_subscriber(subscriber_id: UUID, *, origin: Origin) -> None:
    """Forget a person: address, name, organisation and link token go; counts and the keyed hash stay."""
    now = utcnow()
    async with write_transaction(Subscriber):
        row = (
            await Subscriber.select(Subscriber.status, Subscriber.lang)
            .where(Subscriber.id == subscriber_id)
            .first()
        )
        if row is None:
            raise NotFound("no such subscriber")
        if row["status"] == "erased":
            return
        left = await memberships.leave_all(subscriber_id, now)
        await Subscriber.update(
            {
                Subscriber.email: None,
                Subscriber.name: "",
                Subscriber.organisation: "",
                Subscriber.token: None,
                Subscriber.status: "erased",
                Subscriber.erased_at: now,
                Subscriber.updated_at: now,
            }
        ).where(Subscriber.id == subscriber_id)
        await consent.forget_personal_data(subscriber_id)
        await ledger.forget(subscriber_id)
        await bounce_effects.forget(subscriber_id)
        await press_access.forget(subscriber_id)
        await consent.record(
            subscriber_id,
            "erase",
            Origin(source=origin.source, staff_id=origin.staff_id),
            lang=row["lang"],
            lists=left,
        )
