"""Who may receive mail: the one rule every campaign send goes through.

Only an `active` subscriber with an `active` place on one of the lists receives mail. Unsubscribed,
bounced, complained and erased subscribers never do, and only their own new, confirmed sign-up
makes them active again (staff additions and imports refuse them: see `importing`, `subscribers`).
"""

from collections.abc import AsyncIterator
from typing import Final
from uuid import UUID

import msgspec

from core.db import is_sqlite, utcnow, write_transaction
from newsletters import consent
from newsletters.consent import Origin
from newsletters.memberships import leave_all
from newsletters.tables import MailingList, Membership, Subscriber

DELIVERABLE_STATUS: Final = "active"
NEVER_MAILED: Final = frozenset({"pending", "unsubscribed", "bounced", "complained", "erased"})


class Recipient(msgspec.Struct, frozen=True):
    """What a send needs per person: address, language, name, and the token of their links."""

    id: UUID
    email: str
    lang: str
    name: str
    token: str


async def recipients(list_slugs: list[str], *, batch: int = 1000) -> AsyncIterator[Recipient]:
    """Every person who may receive mail on any of these lists, each once, in id order.

    Two range scans per page, (status, id) on subscriber and (subscriber, list) on membership, so
    each page costs the same however far into the table it is, on both engines and under cached
    (generic) plans; a join or an IN-subquery made later pages slower and slower.
    """
    list_ids = [
        row["id"]
        for row in await MailingList.select(MailingList.id).where(MailingList.slug.is_in(list_slugs))
    ]
    if not list_ids:
        return
    after: UUID | None = None
    while True:
        query = Subscriber.select(
            Subscriber.id, Subscriber.email, Subscriber.lang, Subscriber.name, Subscriber.token
        ).where(Subscriber.status == DELIVERABLE_STATUS)
        if after is not None:
            query = query.where(Subscriber.id > after)
        page = await query.order_by(Subscriber.id).limit(batch)
        if not page:
            return
        # The list filter is applied here: in SQL it lures SQLite onto the (list, status) index.
        wanted = set(list_ids)
        on_lists = {
            row["subscriber"]
            for row in await Membership.select(Membership.subscriber, Membership.mailing_list).where(
                (Membership.subscriber >= page[0]["id"])
                & (Membership.subscriber <= page[-1]["id"])
                & (Membership.status == "active")
            )
            if row["mailing_list"] in wanted
        }
        for row in page:
            if row["id"] in on_lists and row["email"] is not None and row["token"] is not None:
                yield Recipient(
                    id=row["id"], email=row["email"], lang=row["lang"], name=row["name"], token=row["token"]
                )
        if len(page) < batch:
            return
        after = page[-1]["id"]


async def may_receive(subscriber_id: UUID, list_slugs: list[str]) -> bool:
    """Whether this one subscriber may be mailed on any of these lists now (checked again at send time)."""
    row = (
        await Subscriber.select(Subscriber.status, Subscriber.email)
        .where(Subscriber.id == subscriber_id)
        .first()
    )
    if row is None or row["status"] != DELIVERABLE_STATUS or row["email"] is None:
        return False
    return bool(
        await Membership.exists().where(
            (Membership.subscriber == subscriber_id)
            & (Membership.status == "active")
            & Membership.mailing_list.slug.is_in(list_slugs)
        )
    )


async def deliverable(subscriber_ids: list[UUID], list_slugs: list[str]) -> set[UUID]:
    """Which of these subscribers may be mailed on any of these lists now (a batch's check at send time).

    One statement with the ids as one array (PostgreSQL) or bound values (SQLite): a batch's check
    built by the query builder cost tens of milliseconds, a stall of the batch's connection.
    """
    if not subscriber_ids or not list_slugs:
        return set()
    if is_sqlite(Subscriber):
        people = ", ".join("{}" for _ in subscriber_ids)
        lists = ", ".join("{}" for _ in list_slugs)
        values: list[object] = [*subscriber_ids, *list_slugs]
    else:
        people, lists, values = (
            "SELECT unnest({}::uuid[])",
            "SELECT unnest({}::text[])",
            [subscriber_ids, list_slugs],
        )
    sql = f"""
        SELECT DISTINCT subscriber.id AS id FROM subscriber
        JOIN membership ON membership.subscriber = subscriber.id AND membership.status = 'active'
        JOIN mailing_list ON mailing_list.id = membership.mailing_list
        WHERE subscriber.id IN ({people}) AND subscriber.status = '{DELIVERABLE_STATUS}'
          AND subscriber.email IS NOT NULL AND mailing_list.slug IN ({lists})
    """  # noqa: S608 (only placeholders and our own constant in the text)
    return {row["id"] if isinstance(row["id"], UUID) else UUID(str(row["id"])) for row in
            await Subscriber.raw(sql, *values)}  # fmt: skip


async def suppress(subscriber_id: UUID, status: str, *, source: str, detail: str = "") -> bool:
    """Stop all mail to a subscriber after a hard bounce or a complaint; True if this changed anything.

    For the campaign engine's bounce and complaint handling. The step goes into the consent history
    (with `detail`, e.g. the SMTP reply), and only the person's new confirmed sign-up undoes it.
    """
    if status not in {"bounced", "complained"}:
        raise ValueError(f"suppress() takes bounced or complained, not {status!r}")
    now = utcnow()
    async with write_transaction(Subscriber):
        row = (
            await Subscriber.select(Subscriber.status, Subscriber.lang)
            .where(Subscriber.id == subscriber_id)
            .first()
        )
        if row is None or row["status"] in {status, "erased"}:
            return False
        left = await leave_all(subscriber_id, now)
        await Subscriber.update({Subscriber.status: status, Subscriber.updated_at: now}).where(
            Subscriber.id == subscriber_id
        )
        await consent.record(
            subscriber_id, status, Origin(source=source), lang=row["lang"], lists=left, basis=detail
        )
    return True
