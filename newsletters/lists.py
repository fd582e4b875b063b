"""Lists (audiences): create, change, read, and resolve slugs to ids."""

from typing import Any, Final
from uuid import UUID

from msgspec import UNSET

from core.db import utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound
from newsletters.subscriber_schemas import ListIn, ListNames, ListOut, ListPatch, Names
from newsletters.tables import MailingList, Membership

MEMBERSHIP_STATUSES: Final = ("pending", "active", "unsubscribed")


def _check_names(name: ListNames, field: str) -> None:
    for lang in ("ka", "en"):
        if not getattr(name, lang).strip():
            raise Invalid(f"the list needs a name in {lang}", field=f"{field}.{lang}")


async def _counts() -> dict[Any, dict[str, int]]:
    rows = await Membership.raw(
        "SELECT mailing_list, status, COUNT(*) AS n FROM membership GROUP BY mailing_list, status"
    )
    counts: dict[Any, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(str(row["mailing_list"]), {})[row["status"]] = int(row["n"])
    return counts


def _list_out(row: dict[str, Any], counts: dict[str, int]) -> ListOut:
    return ListOut(
        slug=row["slug"],
        name=Names(ka=row["name_ka"], en=row["name_en"]),
        description=Names(ka=row["description_ka"], en=row["description_en"]),
        public=bool(row["public"]),
        created_at=row["created_at"],
        active=counts.get("active", 0),
        pending=counts.get("pending", 0),
        counts={status: counts.get(status, 0) for status in (*MEMBERSHIP_STATUSES, *sorted(counts))},
    )


async def list_lists() -> list[ListOut]:
    """Every list, by slug, with its counts of active and pending members."""
    counts = await _counts()
    rows = await MailingList.select().order_by(MailingList.slug)
    return [_list_out(row, counts.get(str(row["id"]), {})) for row in rows]


async def list_choices() -> list[dict[str, Any]]:
    """Every list's slug and names, by slug: a filter's options, without counting the members."""
    rows = await MailingList.select(MailingList.slug, MailingList.name_ka, MailingList.name_en).order_by(
        MailingList.slug
    )
    return [{"slug": row["slug"], "name": {"ka": row["name_ka"], "en": row["name_en"]}} for row in rows]


async def get_list(slug: str) -> ListOut:
    """One list by slug."""
    row = await MailingList.select().where(MailingList.slug == slug).first()
    if row is None:
        raise NotFound(f"no list {slug!r}")
    counts = await _counts()
    return _list_out(row, counts.get(str(row["id"]), {}))


async def create_list(data: ListIn) -> ListOut:
    """Add a list; the slug must be free and both names given."""
    _check_names(data.name, "name")
    description = data.description or Names(ka="", en="")
    async with write_transaction(MailingList):
        if await MailingList.exists().where(MailingList.slug == data.slug):
            raise Conflict(f"a list with slug {data.slug!r} exists", field="slug")
        await MailingList(
            slug=data.slug,
            name_ka=data.name.ka.strip(),
            name_en=data.name.en.strip(),
            description_ka=description.ka.strip(),
            description_en=description.en.strip(),
            public=data.public,
            created_at=utcnow(),
        ).save()
    return await get_list(data.slug)


async def change_list(slug: str, data: ListPatch) -> ListOut:
    """Rename, describe, or open or close a list to sign-ups."""
    values: dict[Any, Any] = {}
    if data.name is not UNSET:
        _check_names(data.name, "name")
        values[MailingList.name_ka] = data.name.ka.strip()
        values[MailingList.name_en] = data.name.en.strip()
    if data.description is not UNSET:
        values[MailingList.description_ka] = data.description.ka.strip()
        values[MailingList.description_en] = data.description.en.strip()
    if data.public is not UNSET:
        values[MailingList.public] = data.public
    async with write_transaction(MailingList):
        if not await MailingList.exists().where(MailingList.slug == slug):
            raise NotFound(f"no list {slug!r}")
        if values:
            await MailingList.update(values).where(MailingList.slug == slug)
    return await get_list(slug)


async def list_ids(slugs: list[str], *, public_only: bool, field: str = "lists") -> dict[str, UUID]:
    """Ids of the given slugs; an unknown (or, for the public, private) list is refused by position."""
    query = MailingList.select(MailingList.id, MailingList.slug).where(
        MailingList.slug.is_in(list(set(slugs)))
    )
    if public_only:
        query = query.where(MailingList.public == True)  # noqa: E712 (Piccolo builds SQL from ==)
    found = {row["slug"]: row["id"] for row in await query} if slugs else {}
    for position, slug in enumerate(slugs):
        if slug not in found:
            # The public hears "unknown" for private lists too: their names are not theirs to learn.
            raise Invalid(f"unknown list {slug!r}", field=f"{field}[{position}]")
    return found


async def all_list_ids() -> dict[str, UUID]:
    """Every list's id by slug."""
    return {row["slug"]: row["id"] for row in await MailingList.select(MailingList.id, MailingList.slug)}


async def public_lists() -> list[dict[str, Any]]:
    """The lists anyone may join, by slug."""
    rows: list[dict[str, Any]] = (
        await MailingList.select().where(MailingList.public == True).order_by(MailingList.slug)  # noqa: E712
    )
    return rows
