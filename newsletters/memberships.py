"""A subscriber's places on lists: read them, and set their status list by list."""

from datetime import datetime
from typing import Any
from uuid import UUID

from newsletters.subscriber_schemas import MembershipOut
from newsletters.tables import Membership


async def memberships_of(subscriber_id: UUID) -> dict[str, dict[str, Any]]:
    """The subscriber's memberships by list slug."""
    rows = await Membership.select(
        Membership.id,
        Membership.status,
        Membership.subscribed_at,
        Membership.unsubscribed_at,
        Membership.mailing_list.slug.as_alias("slug"),
    ).where(Membership.subscriber == subscriber_id)
    return {row["slug"]: row for row in rows}


def memberships_out(memberships: dict[str, dict[str, Any]]) -> list[MembershipOut]:
    """Memberships as admins read them, by slug."""
    return [
        MembershipOut(
            list=slug,
            status=row["status"],
            subscribed_at=row["subscribed_at"],
            unsubscribed_at=row["unsubscribed_at"],
        )
        for slug, row in sorted(memberships.items())
    ]


async def set_status(
    subscriber_id: UUID,
    lists: dict[str, UUID],
    status: str,
    now: datetime,
    *,
    current: dict[str, dict[str, Any]] | None = None,
    keep_active: bool = False,
) -> None:
    """Put the subscriber on each list with `status`; `keep_active` leaves active places as they are."""
    current = await memberships_of(subscriber_id) if current is None else current
    for slug, list_id in lists.items():
        row = current.get(slug)
        if row is not None and (row["status"] == status or (keep_active and row["status"] == "active")):
            continue
        times: dict[Any, Any] = {Membership.status: status, Membership.updated_at: now}
        if status == "active":
            times[Membership.subscribed_at] = now
        if status == "unsubscribed":
            times[Membership.unsubscribed_at] = now
        if row is None:
            await Membership(
                subscriber=subscriber_id,
                mailing_list=list_id,
                status=status,
                created_at=now,
                updated_at=now,
                subscribed_at=now if status == "active" else None,
                unsubscribed_at=None,
            ).save()
        else:
            await Membership.update(times).where(Membership.id == row["id"])


async def leave_all(subscriber_id: UUID, now: datetime, *, keep: set[str] | None = None) -> list[str]:
    """Take the subscriber off every list not in `keep`; returns the slugs left."""
    current = await memberships_of(subscriber_id)
    left = [
        slug
        for slug, row in current.items()
        if row["status"] in {"active", "pending"} and slug not in (keep or set())
    ]
    if left:
        await Membership.update(
            {Membership.status: "unsubscribed", Membership.updated_at: now, Membership.unsubscribed_at: now}
        ).where(Membership.id.is_in([current[slug]["id"] for slug in left]))
    return left
