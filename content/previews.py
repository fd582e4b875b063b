"""Preview links: an expiring, revocable token that shows one entry in the public shape before release."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID, uuid4

from content.revisions import load_entry
from content.schemas import Actor, EntryOut
from content.shaping import build_entries
from content.tables import Entry, PreviewLink
from core.db import as_utc, utcnow, write_transaction
from core.errors import Forbidden, Invalid, NotFound

DEFAULT_DAYS: Final = 7
MAX_DAYS: Final = 90
TOKEN_BYTES: Final = 32
MAX_TOKEN_LENGTH: Final = 100


@dataclass(frozen=True, slots=True)
class MadeLink:
    """A new preview link's token (shown once: only its hash is kept) and when it stops working."""

    token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    """What is stored of a token: a leaked table gives no working link."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _check_may_preview(entry: dict[str, object], actor: Actor) -> None:
    if not actor.can_edit_any and entry["created_by"] != actor.id:
        raise Forbidden("authors may make preview links only for their own entries")


async def make_preview_link(
    kind: str, entry_id: UUID, actor: Actor, *, expires_in_days: int = DEFAULT_DAYS
) -> MadeLink:
    """A new link to preview an entry (authors: their own; editors and admins: any)."""
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise Invalid(f"expires_in_days must be 1 to {MAX_DAYS}", field="expires_in_days")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    expires_at = now + timedelta(days=expires_in_days)
    async with write_transaction():
        entry = await load_entry(kind, entry_id)
        _check_may_preview(entry, actor)
        if entry["status"] == "archived":
            raise Invalid("an archived entry has nothing to preview", field="status")
        await PreviewLink.insert(
            PreviewLink(
                id=uuid4(),
                entry=entry_id,
                token_hash=token_hash(token),
                created_by=actor.id,
                created_at=now,
                expires_at=expires_at,
            )
        )
    return MadeLink(token=token, expires_at=expires_at)


async def revoke_preview_links(kind: str, entry_id: UUID, actor: Actor) -> int:
    """Revoke every working preview link of an entry; returns how many were working."""
    now = utcnow()
    async with write_transaction():
        entry = await load_entry(kind, entry_id)
        _check_may_preview(entry, actor)
        working = (
            (PreviewLink.entry == entry_id)
            & PreviewLink.revoked_at.is_null()
            & (PreviewLink.expires_at > now)
        )
        count = await PreviewLink.count().where(working)
        await PreviewLink.update({PreviewLink.revoked_at: now}).where(working)
    return int(count)


async def preview_entry(token: str, lang: str | None) -> EntryOut:
    """The entry a working token names, as the public will see it (its current text, whatever its status).

    An unknown, expired or revoked token, or one whose entry was archived, is not found.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound("no such preview link")
    link = (
        await PreviewLink.select(PreviewLink.entry, PreviewLink.expires_at, PreviewLink.revoked_at)
        .where(PreviewLink.token_hash == token_hash(token))
        .first()
    )
    expires_at = None if link is None else as_utc(link["expires_at"])
    if link is None or link["revoked_at"] is not None or expires_at is None or expires_at <= utcnow():
        raise NotFound("no such preview link, or it has expired or been revoked")
    row = await Entry.select(*Entry.all_columns()).where(Entry.id == link["entry"]).first()
    if row is None or row["status"] == "archived":
        raise NotFound("the entry of this preview link is no longer there")
    shaped = await build_entries([row], lang, staff=False)
    if not shaped:
        raise NotFound("the entry of this preview link has no text")
    return shaped[0]
