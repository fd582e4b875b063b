"""Giving journalists an embargoed entry early: grant to lists or addresses, list, revoke, forget."""

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from content.revisions import load_entry
from content.schemas import Actor
from core.db import as_utc, utcnow, write_transaction
from core.errors import Conflict, Forbidden, Invalid, NotFound
from newsletters.addresses import address_key, normalise_address
from newsletters.lists import list_ids
from newsletters.press.schemas import PressAccessIn, PressAccessOut, PressGrantOut
from newsletters.suppression import recipients
from newsletters.tables import PressGrant, PressOpening, Subscriber

EMBARGO_STATUSES = ("published", "scheduled")


def embargo_end(entry: dict[str, Any], now: datetime) -> datetime | None:
    """When an entry held back from the public reaches it, if it is under an embargo now (else None).

    An embargoed entry that is also scheduled later stays back until the later of the two.
    """
    until = as_utc(entry["embargo_until"])
    if entry["status"] not in EMBARGO_STATUSES or until is None or until <= now:
        return None
    publish_at = as_utc(entry["publish_at"]) if entry["status"] == "scheduled" else None
    return max(until, publish_at) if publish_at is not None else until


def _check_may_grant(actor: Actor) -> None:
    if not actor.can_publish:
        raise Forbidden("only editors and admins give the press early access")


async def _known_lang(addresses: list[str], secret_key: str) -> dict[str, tuple[str, UUID]]:
    """The language and id of those addresses that belong to a subscriber who has not been erased."""
    keys = {address_key(secret_key, address): address for address in addresses}
    if not keys:
        return {}
    rows = await Subscriber.select(Subscriber.id, Subscriber.address_key, Subscriber.lang).where(
        Subscriber.address_key.is_in(list(keys)) & Subscriber.email.is_not_null()
    )
    return {keys[row["address_key"]]: (row["lang"], row["id"]) for row in rows}


async def grant_access(
    kind: str, entry_id: UUID, data: PressAccessIn, actor: Actor, *, secret_key: str
) -> tuple[PressAccessOut, list[UUID]]:
    """Give an embargoed entry to the active members of some lists and to some addresses.

    An address that holds a working grant already is left alone (one link per person and entry).
    Returns the entry's grants and the ids of the new ones, whose mails are owed.
    """
    _check_may_grant(actor)
    if not data.lists and not data.emails:
        raise Invalid("name at least one list or one address", field="lists")
    addresses = [
        normalise_address(address, field=f"emails[{position}]")
        for position, address in enumerate(data.emails)
    ]
    if data.lists:
        await list_ids(data.lists, public_only=False)
    entry = await load_entry(kind, entry_id)
    if embargo_end(entry, utcnow()) is None:
        raise Conflict("only an entry under an embargo that has not lifted is given to the press early")
    wanted: dict[str, tuple[str, UUID | None, str]] = {}
    for slug in data.lists:
        async for person in recipients([slug]):
            wanted.setdefault(person.email.lower(), (person.lang, person.id, slug))
    known = await _known_lang(addresses, secret_key)
    for address in addresses:
        lang, subscriber = known.get(address, (data.lang, None))
        wanted.setdefault(address, (lang, subscriber, ""))
    now = utcnow()
    new_ids: list[UUID] = []
    async with write_transaction(PressGrant):
        working = {
            row["email"]
            for row in await PressGrant.select(PressGrant.email).where(
                (PressGrant.entry == entry_id) & PressGrant.revoked_at.is_null()
            )
        }
        rows = []
        for address, (lang, subscriber, slug) in wanted.items():
            if address in working:
                continue
            grant_id = uuid4()
            new_ids.append(grant_id)
            rows.append(
                PressGrant(
                    id=grant_id,
                    entry=entry_id,
                    email=address,
                    lang=lang,
                    subscriber=subscriber,
                    list_slug=slug,
                    granted_by=actor.id,
                    granted_at=now,
                )
            )
        if rows:
            await PressGrant.insert(*rows)
    listing = await list_access(kind, entry_id, actor)
    listing.granted = len(new_ids)
    return listing, new_ids


def _grant_out(row: dict[str, Any], openings: list[datetime]) -> PressGrantOut:
    return PressGrantOut(
        id=row["id"],
        email=row["email"],
        lang=row["lang"],
        list=row["list_slug"] or None,
        granted_at=as_utc(row["granted_at"]),  # type: ignore[arg-type]
        mailed_at=as_utc(row["mailed_at"]),
        revoked_at=as_utc(row["revoked_at"]),
        openings=openings,
    )


async def list_access(kind: str, entry_id: UUID, actor: Actor) -> PressAccessOut:
    """Who was given the entry early, newest first, and each time their link was opened."""
    _check_may_grant(actor)
    await load_entry(kind, entry_id)
    rows = (
        await PressGrant.select(*PressGrant.all_columns())
        .where(PressGrant.entry == entry_id)
        .order_by(PressGrant.granted_at, ascending=False)
        .order_by(PressGrant.email)
    )
    openings: dict[UUID, list[datetime]] = defaultdict(list)
    if rows:
        for opening in (
            await PressOpening.select(PressOpening.press_grant, PressOpening.opened_at)
            .where(PressOpening.press_grant.is_in([row["id"] for row in rows]))
            .order_by(PressOpening.opened_at)
        ):
            openings[opening["press_grant"]].append(as_utc(opening["opened_at"]))  # type: ignore[arg-type]
    return PressAccessOut(items=[_grant_out(row, openings[row["id"]]) for row in rows])


async def revoke_access(kind: str, entry_id: UUID, grant_id: UUID, actor: Actor) -> PressGrantOut:
    """End one journalist's access at once: their link answers "withdrawn" from now on."""
    _check_may_grant(actor)
    await load_entry(kind, entry_id)
    async with write_transaction(PressGrant):
        row = (
            await PressGrant.select(*PressGrant.all_columns())
            .where((PressGrant.id == grant_id) & (PressGrant.entry == entry_id))
            .first()
        )
        if row is None:
            raise NotFound("this entry has no such press access")
        if row["revoked_at"] is None:
            row["revoked_at"] = utcnow()
            await PressGrant.update({PressGrant.revoked_at: row["revoked_at"]}).where(
                PressGrant.id == grant_id
            )
    opened = await PressOpening.select(PressOpening.opened_at).where(PressOpening.press_grant == grant_id)
    return _grant_out(row, sorted(as_utc(item["opened_at"]) for item in opened))  # type: ignore[misc]


async def forget(subscriber_id: UUID) -> None:
    """An erased subscriber's press access goes with their address (called inside the erasure)."""
    await PressGrant.delete().where(PressGrant.subscriber == subscriber_id)
