"""Who may receive mail: the one rule every campaign send goes through.

Only an `active` subscriber with an `active` place on one of the lists receives mail. Unsubscribed,
bounced, complained and erased subscribers never do, and only their own new, confirmed sign-up
makes them active again (staff additions and imports refuse them: see `importing`, `subscribers`).
"""

from collections.abc import AsyncIterator
from typing import Final
from uuid import UUID

import msgspec

from content.db import utcnow, write_transaction
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


# A range scan of (status, id) joined to membership: each page costs the same however far into the
# table it is. (An IN-subquery rebuilds the whole list every page; and PostgreSQL's merge semi-join
# scans membership from its start unless told the same lower bound, hence `m.subscriber > after`.)
_PAGE_SQL: Final = """
SELECT s.id, s.email, s.lang, s.name, s.token FROM subscriber s
WHERE s.status = 'active' AND s.email IS NOT NULL AND s.token IS NOT NULL {after}
AND EXISTS (
    SELECT 1 FROM membership m
    WHERE m.subscriber = s.id AND m.status = 'active' AND m.mailing_list IN ({lists}) {member_after}
)
ORDER BY s.id LIMIT {{}}
"""


async def recipients(list_slugs: list[str], *, batch: int = 1000) -> AsyncIterator[Recipient]:
    """Every person who may receive mail on any of these lists, each once, in id order."""
    list_ids = [
        row["id"]
        for row in await MailingList.select(MailingList.id).where(MailingList.slug.is_in(list_slugs))
    ]
    if not list_ids:
        return
    lists = ", ".join("{}" for _ in list_ids)
    first_page = _PAGE_SQL.format(after="", lists=lists, member_after="")
    next_page = _PAGE_SQL.format(after="AND s.id > {}", lists=lists, member_after="AND m.subscriber > {}")
    after: UUID | None = None
    while True:
        if after is None:
            rows = await Subscriber.raw(first_page, *list_ids, batch)
        else:
            rows = await Subscriber.raw(next_page, after, *list_ids, after, batch)
        for row in rows:
            yield Recipient(
                id=_uuid(row["id"]),
                email=row["email"],
                lang=row["lang"],
                name=row["name"],
                token=row["token"],
            )
        if len(rows) < batch:
            return
        after = _uuid(rows[-1]["id"])


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


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
