"""The publishing workflow: draft → scheduled → published → archived, and back to draft."""

from datetime import datetime
from uuid import UUID

from content.entries import same_value
from content.revisions import load_entry, record_revision
from content.schemas import Actor, EntryOut, PublishIn
from content.tables import Entry
from core.db import as_utc, utcnow, write_transaction
from core.errors import Conflict, Forbidden, Invalid


def _check_may_publish(actor: Actor) -> None:
    if not actor.can_publish:
        raise Forbidden("only editors and admins publish, schedule, unpublish or archive")


async def publish_entry(kind: str, entry_id: UUID, data: PublishIn, actor: Actor) -> EntryOut:
    """Publish now, or schedule for `at`; an embargo hides a published entry from the public until then."""
    _check_may_publish(actor)
    now = utcnow()
    at = as_utc(data.at)
    async with write_transaction():
        entry = await load_entry(kind, entry_id)
        if entry["status"] == "archived":
            raise Conflict("an archived entry must be unpublished back to a draft before publishing")
        if kind == "events" and entry["starts_at"] is None:
            raise Invalid("an event needs starts_at before it is published", field="starts_at")
        values: dict[str, datetime | str | None] = {}
        if data.embargo_until is not None:
            values["embargo_until"] = as_utc(data.embargo_until)
        if data.unpublish_at is not None:
            if as_utc(data.unpublish_at) <= max(now, at or now):  # type: ignore[operator]
                raise Invalid("unpublish_at must come after the entry is published", field="unpublish_at")
            values["unpublish_at"] = as_utc(data.unpublish_at)
        if at is not None and at > now:
            if entry["status"] == "published":
                raise Conflict("the entry is already published; unpublish it to schedule it")
            values.update(status="scheduled", publish_at=at)
            action = "schedule"
        else:
            if entry["status"] != "published":
                values.update(status="published", publish_at=None, published_at=now)
            action = "publish"
        changed = [name for name, value in values.items() if not same_value(entry[name], value)]
        return await record_revision(entry, actor, action, changed, values)


async def unpublish_entry(kind: str, entry_id: UUID, actor: Actor) -> EntryOut:
    """Take an entry back to draft: feeds and lists drop it at once."""
    _check_may_publish(actor)
    async with write_transaction():
        entry = await load_entry(kind, entry_id)
        if entry["status"] == "draft":
            raise Conflict("the entry is already a draft")
        values: dict[str, datetime | str | None] = {
            "status": "draft",
            "publish_at": None,
            "unpublish_at": None,
        }
        return await record_revision(entry, actor, "unpublish", ["status"], values)


async def archive_entry(kind: str, entry_id: UUID, actor: Actor) -> EntryOut:
    """Archive an entry: it leaves every public list but is kept, with its revisions."""
    _check_may_publish(actor)
    async with write_transaction():
        entry = await load_entry(kind, entry_id)
        if entry["status"] == "archived":
            raise Conflict("the entry is already archived")
        values: dict[str, datetime | str | None] = {"status": "archived", "publish_at": None}
        return await record_revision(entry, actor, "archive", ["status"], values)


async def publish_due_entries(now: datetime | None = None) -> list[UUID]:
    """Publish every scheduled entry whose time has come; safe to run twice or in two workers."""
    now = now or utcnow()
    due = await Entry.select(Entry.id, Entry.kind).where(
        (Entry.status == "scheduled") & (Entry.publish_at <= now)
    )
    published: list[UUID] = []
    for row in due:
        async with write_transaction():
            entry = await load_entry(row["kind"], row["id"])
            if entry["status"] != "scheduled":
                continue  # another worker took it, or staff changed it meanwhile
            values: dict[str, datetime | str | None] = {
                "status": "published",
                "published_at": as_utc(entry["publish_at"]),
                "publish_at": None,
            }
            await record_revision(entry, None, "publish", ["status"], values)
            published.append(row["id"])
    return published


async def unpublish_due_entries(now: datetime | None = None) -> list[UUID]:
    """Take every published entry whose `unpublish_at` has come back to draft; safe to run twice."""
    now = now or utcnow()
    due = await Entry.select(Entry.id, Entry.kind).where(
        Entry.status.is_in(["published", "scheduled"]) & (Entry.unpublish_at <= now)
    )
    expired: list[UUID] = []
    for row in due:
        async with write_transaction():
            entry = await load_entry(row["kind"], row["id"])
            moment = as_utc(entry["unpublish_at"])
            if entry["status"] not in ("published", "scheduled") or moment is None or moment > now:
                continue  # another worker took it, or staff changed it meanwhile
            values: dict[str, datetime | str | None] = {
                "status": "draft",
                "publish_at": None,
                "unpublish_at": None,
            }
            await record_revision(entry, None, "expire", ["status", "unpublish_at"], values)
            expired.append(row["id"])
    return expired
