"""A journalist's personal link: what it shows, when it is withdrawn, and each opening recorded."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid4

from content.tables import Entry, EntryTranslation
from core.db import as_utc, utcnow
from core.errors import DomainError, NotFound
from newsletters.press.access import embargo_end
from newsletters.tables import PressGrant, PressOpening

TOKEN_BYTES: Final = 32
# A token is 43 URL-safe characters; anything else names no link and costs no database look-up.
TOKEN_ALPHABET: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_TOKEN_LENGTH: Final = 100


class Withdrawn(DomainError):
    """The link was real, but staff revoked it; `lang` is the journalist's, for the page that says so."""

    def __init__(self, detail: str, *, lang: str) -> None:
        super().__init__(detail)
        self.lang = lang


@dataclass(frozen=True, slots=True)
class Embargoed:
    """The link works and the entry is still held back: show it with its embargo."""

    grant_id: UUID
    lang: str
    entry: dict[str, Any]
    until: datetime


@dataclass(frozen=True, slots=True)
class Lifted:
    """The embargo has lifted: the link leads to the public version, in the grant's language if it has one."""

    kind: str
    entry_id: UUID
    lang: str
    slug: str


def new_token() -> str:
    """A fresh personal link's secret (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored of a token: a leaked table gives no working link."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _is_public(entry: dict[str, Any], now: datetime) -> bool:
    published_at, until = as_utc(entry["published_at"]), as_utc(entry["embargo_until"])
    return (
        entry["status"] == "published"
        and published_at is not None
        and published_at <= now
        and (until is None or until <= now)
    )


async def _lifted(entry: dict[str, Any], lang: str) -> Lifted:
    slugs = {
        row["lang"]: row["slug"]
        for row in await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.slug).where(
            EntryTranslation.entry == entry["id"]
        )
    }
    if not slugs:
        raise NotFound("the entry of this link has no text")
    shown = lang if lang in slugs else sorted(slugs)[0]
    return Lifted(kind=entry["kind"], entry_id=entry["id"], lang=shown, slug=slugs[shown])


async def open_press_link(token: str) -> Embargoed | Lifted:
    """What a personal link shows now, recording the opening; nothing else is spent or changed.

    Unknown or malformed tokens, and entries gone from the press's reach (unpublished, archived),
    are NotFound; a revoked link is Withdrawn.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH or not set(token) <= TOKEN_ALPHABET:
        raise NotFound("no such press link")
    grant = (
        await PressGrant.select(PressGrant.id, PressGrant.entry, PressGrant.lang, PressGrant.revoked_at)
        .where(PressGrant.token_hash == token_hash(token))
        .first()
    )
    if grant is None:
        raise NotFound("no such press link")
    if grant["revoked_at"] is not None:
        raise Withdrawn("this press link was withdrawn", lang=grant["lang"])
    entry = await Entry.select(*Entry.all_columns()).where(Entry.id == grant["entry"]).first()
    if entry is None:
        raise NotFound("the entry of this press link is no longer there")
    now = utcnow()
    until = embargo_end(entry, now)
    if until is None and not _is_public(entry, now):
        raise NotFound("the entry of this press link is not available")
    # One statement, outside a write transaction: an opening is no content change, so it leaves the
    # public caches alone.
    await PressOpening.insert(PressOpening(id=uuid4(), press_grant=grant["id"], opened_at=now))
    if until is None:
        return await _lifted(entry, grant["lang"])
    return Embargoed(grant_id=grant["id"], lang=grant["lang"], entry=entry, until=until)
