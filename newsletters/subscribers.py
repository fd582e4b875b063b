"""Subscribers as staff manage them: search, add on a recorded basis, edit, erase."""

import json
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from msgspec import UNSET
from piccolo.columns.combination import WhereRaw

from core.db import as_utc, is_sqlite, utcnow, write_transaction
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
    if status and status not in STATUSES:
        raise Invalid(f"status must be one of {', '.join(STATUSES)}", field="status")
    list_id = None
    if list_slug:
        list_row = await MailingList.select(MailingList.id).where(MailingList.slug == list_slug).first()
        if list_row is None:
            raise Invalid(f"unknown list {list_slug!r}", field="list")
        list_id = list_row["id"]
    after = None
    if cursor:
        try:
            after = UUID(cursor)
        except ValueError as error:
            raise Invalid("not a cursor this API gave out", field="cursor") from error
    # `%`, `_` and `\` in what was typed are meant literally, not as LIKE's wildcards; PostgreSQL
    # text holds no NUL.
    typed = (q or "").strip().lower().replace("\x00", "")
    escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%" if typed else None
    if is_sqlite(Subscriber):
        rows = await _search_sqlite(pattern, status, list_id, after, limit)
        page = rows[:limit]
        places = await _memberships_by_subscriber([row["id"] for row in page])
    else:
        rows = await _search_postgres(pattern, status, list_id, after, limit)
        page = rows[:limit]
        places = {row["id"]: row.pop("places") for row in page}
    return SubscriberPage(
        items=[subscriber_out(row, places.get(row["id"], {})) for row in page],
        next_cursor=str(page[-1]["id"]) if len(rows) > limit else None,
    )


def _on_list(list_id: UUID) -> Any:
    return Membership.select(Membership.subscriber).where(
        (Membership.mailing_list == list_id) & Membership.status.is_in(["active", "pending"])
    )


async def _search_sqlite(
    pattern: str | None, status: str | None, list_id: UUID | None, after: UUID | None, limit: int
) -> list[dict[str, Any]]:
    query = Subscriber.select()
    if pattern:
        # SQLite's LIKE already ignores (ASCII) case, and has no escape character unless named.
        query = query.where(
            WhereRaw(
                "(email LIKE {} ESCAPE '\\' OR name LIKE {} ESCAPE '\\' OR organisation LIKE {} ESCAPE '\\')",
                pattern,
                pattern,
                pattern,
            )
        )
    if status:
        query = query.where(Subscriber.status == status)
    if list_id is not None:
        query = query.where(Subscriber.id.is_in(_on_list(list_id)))
    if after is not None:
        query = query.where(Subscriber.id > after)
    rows: list[dict[str, Any]] = await query.order_by(Subscriber.id).limit(limit + 1)
    return rows


# A page and each person's lists in one statement: the inner select stops after the page, and only
# the page's rows look up their memberships.
SEARCH_POSTGRES: Final = """
SELECT page.*, COALESCE((
    SELECT json_agg(json_build_array(l.slug, m.status, m.subscribed_at, m.unsubscribed_at))
    FROM membership AS m JOIN mailing_list AS l ON l.id = m.mailing_list WHERE m.subscriber = page.id
), '[]') AS places
FROM (
    SELECT id, email, name, organisation, lang, status, basis, created_at, updated_at, confirmed_at,
           unsubscribed_at, erased_at
    FROM subscriber WHERE {where} ORDER BY id LIMIT {{}}
) AS page
ORDER BY page.id
"""


def _literal(text: str) -> str:
    """`text` as a PostgreSQL string constant (standard_conforming_strings: only `'` is special).

    The search pattern goes into the statement's text, not as a parameter: a prepared statement's
    generic plan cannot know whether a pattern is rare, and walked the whole table in id order for
    one that matches nobody. Piccolo's query builder reads any brace as a placeholder, so braces go
    in as `chr()` calls, which PostgreSQL folds back into the one constant before planning.
    """
    quoted = "'" + text.replace("'", "''") + "'"
    return "(" + quoted.replace("{", "' || chr(123) || '").replace("}", "' || chr(125) || '") + ")"


async def _search_postgres(
    pattern: str | None, status: str | None, list_id: UUID | None, after: UUID | None, limit: int
) -> list[dict[str, Any]]:
    where: list[str] = ["TRUE"]
    args: list[Any] = []
    if pattern:
        # `search_text`: the address, name and organisation lowered, one a line, trigram-indexed (the
        # migration of 2026-12-03T17:07); LIKE's escape character is `\` already.
        where.append(f"search_text LIKE {_literal(pattern)}")
    if status:
        where.append("status = {}")
        args.append(status)
    if list_id is not None:
        where.append(
            "id IN (SELECT subscriber FROM membership"
            " WHERE mailing_list = {} AND status IN ('active', 'pending'))"
        )
        args.append(list_id)
    if after is not None:
        where.append("id > {}")
        args.append(after)
    rows = await Subscriber.raw(SEARCH_POSTGRES.format(where=" AND ".join(where)), *args, limit + 1)
    for row in rows:
        places = json.loads(row["places"]) if isinstance(row["places"], str) else row["places"]
        row["places"] = {
            slug: {"status": state, "subscribed_at": _moment(joined), "unsubscribed_at": _moment(left)}
            for slug, state, joined, left in places
        }
    return list(rows)


def _moment(value: str | None) -> datetime | None:
    return as_utc(datetime.fromisoformat(value)) if value else None


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
