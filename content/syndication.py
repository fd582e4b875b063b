"""What feeds show: the newest public entries of a scope as feed items, rendered to bytes.

Visibility is the public lists' (`queries.is_public`): drafts, scheduled, embargoed and
archived entries never appear. `content_version` changes whenever any feed could change, so a
cache keyed by it is exact; it is cheap enough to ask every few seconds.
"""

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

import msgspec
from piccolo.query.functions.aggregate import Max

from content.feeds import atom, ics, jsonfeed, rss
from content.feeds.catalogue import (
    ALL,
    NEWSLETTERS,
    SITE_NAME,
    FeedSpec,
    every_feed,
    feed_description,
    feed_title,
)
from content.feeds.links import FeedSite, feed_id, item_guid
from content.feeds.model import Alternate, Category, Enclosure, EventInfo, FeedItem, FeedMeta
from content.feeds.newsletters import SentNewsletter, build_newsletter_rss
from content.kinds import DEFAULT_TIMEZONE
from content.languages import LANGUAGES
from content.queries import is_public
from content.schemas import EntryOut, RegistrationOut
from content.shaping import build_entries
from content.tables import Entry, EntryTopic, EntryTranslation, Topic
from core.db import as_utc, utcnow
from core.errors import NotFound

# An empty feed's `updated`: a constant, so that its bytes are stable too.
EPOCH: Final = datetime(2026, 1, 1, tzinfo=UTC)
CALENDAR_EVENTS: Final = 500

# The seam for cover images: given cover asset ids, their enclosures (url, length, mime). The media
# library provides it (service/app.py passes it to FeedPublisher); without one, items have no
# enclosure. When it does, its asset changes must also move `content_version` (add them to its query).
CoverLookup = Callable[[list[UUID]], Awaitable[dict[UUID, Enclosure]]]
# The seam for the newsletter archive: sent newsletters in one language, newest first.
NewsletterLookup = Callable[[str], Awaitable[list[SentNewsletter]]]
# The seam for what other packages add to feeds (the newsletter archive): a value that moves with them.
ChangeMarker = Callable[[], Awaitable[object]]

BUILDERS: Final[dict[str, Callable[[FeedMeta, list[FeedItem]], bytes]]] = {
    "rss": rss.build_rss,
    "atom": atom.build_atom,
    "json": jsonfeed.build_json_feed,
    "ics": ics.build_calendar,
}
MEDIA_TYPES: Final[dict[str, str]] = {
    "rss": rss.MEDIA_TYPE,
    "atom": atom.MEDIA_TYPE,
    "json": jsonfeed.MEDIA_TYPE,
    "ics": ics.MEDIA_TYPE,
}


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    """A feed's bytes, their media type and when the feed last changed (for Last-Modified)."""

    body: bytes
    media_type: str
    last_modified: datetime


async def content_version(now: datetime | None = None, *, markers: Sequence[ChangeMarker] = ()) -> str:
    """A short fingerprint of everything feeds show; it changes on every entry or topic write.

    Every write to an entry (create, edit, publish, unpublish, archive, the worker's scheduled
    publishing) bumps its `updated_at`; an embargo lifting needs no write, so the newest lifted
    embargo is part of the fingerprint too. `markers` add what other packages put in feeds (the
    newsletter archive's newest send), so that this package never reads their tables.
    """
    now = now or utcnow()
    # One round trip: this runs every few seconds in every process.
    rows = await Entry.raw(
        "SELECT (SELECT COUNT(*) FROM entry) AS entries,"
        " (SELECT MAX(updated_at) FROM entry) AS newest,"
        " (SELECT MAX(embargo_until) FROM entry WHERE embargo_until <= {}) AS lifted,"
        " (SELECT COUNT(*) FROM topic) AS topics,"
        " (SELECT MAX(created_at) FROM topic) AS newest_topic,"
        " (SELECT MAX(updated_at) FROM topic) AS renamed_topic,"
        # Registrations move the places left without touching the entry's updated_at.
        " (SELECT MAX(places_changed_at) FROM entry) AS places",
        now,
    )
    raw = repr((sorted(rows[0].items()), [await marker() for marker in markers])).encode()
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


async def next_embargo_lift(now: datetime | None = None) -> datetime | None:
    """When the next embargo on a published entry lifts: the public sees more then, with no write."""
    now = now or utcnow()
    rows = await Entry.raw(
        "SELECT MIN(embargo_until) AS lifts FROM entry WHERE status = 'published' AND embargo_until > {}",
        now,
    )
    lifts = rows[0]["lifts"] if rows else None
    if isinstance(lifts, str):  # SQLite hands an aggregate of a time column back as its stored text
        lifts = datetime.fromisoformat(lifts)
    return as_utc(lifts)


async def topic_names(slug: str) -> dict[str, str]:
    """A topic's names by language, or NotFound."""
    row = await Topic.select(Topic.name_ka, Topic.name_en).where(Topic.slug == slug).first()
    if row is None:
        raise NotFound(f"no topic {slug!r}")
    return {"ka": row["name_ka"], "en": row["name_en"]}


async def _public_rows(spec: FeedSpec, limit: int) -> list[dict[str, Any]]:
    kind = spec.kind if spec.kind not in (None, ALL) else None
    query = Entry.select(*Entry.all_columns()).where(
        is_public()  # on the row, so the newest come off the entry_listing index
        & Entry.id.is_in(
            EntryTranslation.select(EntryTranslation.entry).where(EntryTranslation.lang == spec.lang)
        )
    )
    if kind is not None:
        query = query.where(Entry.kind == kind)
    if spec.topic is not None:
        query = query.where(
            Entry.id.is_in(EntryTopic.select(EntryTopic.entry).where(EntryTopic.topic.slug == spec.topic))
        )
    if spec.format == "ics":
        rows = await query.order_by(Entry.starts_at, Entry.id, ascending=False).limit(limit)
        return list(reversed(rows))
    rows = await query.order_by(Entry.published_at, Entry.id, ascending=False).limit(limit)
    return list(rows)


async def _scope_last_change(spec: FeedSpec, now: datetime) -> datetime | None:
    """The newest change among entries that are or were public in the feed's scope.

    Taking entries that left the feed (unpublished, archived, a translation or topic removed) into
    account keeps Last-Modified moving forward, so If-Modified-Since never hides a removal.
    """
    kind = spec.kind if spec.kind not in (None, ALL) else None
    changed = Entry.select(Max(Entry.updated_at, alias="newest")).where(Entry.published_at.is_not_null())
    lifted = Entry.select(Max(Entry.embargo_until, alias="newest")).where(
        Entry.embargo_until.is_not_null() & (Entry.embargo_until <= now) & (Entry.status == "published")
    )
    if kind is not None:
        changed = changed.where(Entry.kind == kind)
        lifted = lifted.where(Entry.kind == kind)
    moments = [
        as_utc(_as_datetime(row["newest"])) for row in (await changed.first(), await lifted.first()) if row
    ]
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _item_updated(row: dict[str, Any]) -> datetime:
    """When the public last saw the entry change: its last edit, publication or embargo lift."""
    moments = [as_utc(row[name]) for name in ("updated_at", "published_at", "embargo_until")]
    return max(moment for moment in moments if moment is not None)


def _feed_item(
    entry: EntryOut, row: dict[str, Any], site: FeedSite, covers: dict[UUID, Enclosure]
) -> FeedItem:
    event = None
    if entry.kind == "events" and isinstance(entry.starts_at, datetime):
        event = EventInfo(
            starts_at=entry.starts_at,
            ends_at=entry.ends_at if isinstance(entry.ends_at, datetime) else None,
            timezone=entry.timezone if isinstance(entry.timezone, str) else DEFAULT_TIMEZONE,
            location=entry.location if isinstance(entry.location, str) else None,
            online_url=entry.online_url if isinstance(entry.online_url, str) else None,
            registration_url=entry.registration_url if isinstance(entry.registration_url, str) else None,
            cancelled=entry.cancelled is True,
            registration_open=entry.registration.open
            if isinstance(entry.registration, RegistrationOut)
            else None,
            places_left=entry.registration.places_left
            if isinstance(entry.registration, RegistrationOut)
            else None,
        )
    published = entry.published_at or entry.updated_at
    return FeedItem(
        guid=item_guid(entry.id, entry.lang),
        url=site.entry_url(entry.kind, entry.lang, entry.slug, entry.id),
        title=entry.title,
        summary=entry.summary,
        content_html=entry.body_html,
        author=entry.author,
        published=published,
        updated=_item_updated(row),
        lang=entry.lang,
        categories=tuple(Category(term=t.slug, label=t.name.get(entry.lang, t.slug)) for t in entry.topics),
        enclosure=covers.get(entry.cover_id) if entry.cover_id is not None else None,
        alternates=tuple(
            Alternate(
                lang=ref.lang, url=site.entry_url(entry.kind, ref.lang, ref.slug, entry.id), title=ref.title
            )
            for ref in entry.translations
            if ref.lang != entry.lang
        ),
        event=event,
        sequence=row["revision"],
    )


def _meta(spec: FeedSpec, site: FeedSite, updated: datetime, names: dict[str, str] | None) -> FeedMeta:
    return FeedMeta(
        feed_id=feed_id(spec),
        title=feed_title(spec, spec.lang, names),
        description=feed_description(spec, spec.lang, names),
        lang=spec.lang,
        self_url=site.feed_url(spec),
        home_url=site.home_url(spec.lang),
        updated=updated,
        logo_url=site.logo_url or None,
        author=SITE_NAME[spec.lang],
        alternates=tuple(
            Alternate(lang=lang, url=site.feed_url(spec.with_lang(lang)), title=feed_title(spec, lang, names))
            for lang in LANGUAGES
            if lang != spec.lang
        ),
    )


async def feed_items(spec: FeedSpec, site: FeedSite, covers: CoverLookup | None = None) -> list[FeedItem]:
    """The items of an entries feed, newest first (a calendar: by start)."""
    limit = CALENDAR_EVENTS if spec.format == "ics" else site.items
    rows = await _public_rows(spec, limit)
    entries = await build_entries(rows, spec.lang, staff=False)
    by_id = {row["id"]: row for row in rows}
    cover_ids = sorted({entry.cover_id for entry in entries if entry.cover_id is not None}, key=str)
    enclosures = await covers(cover_ids) if covers is not None and cover_ids else {}
    return [_feed_item(entry, by_id[entry.id], site, enclosures) for entry in entries]


async def render_feed(
    spec: FeedSpec,
    site: FeedSite,
    *,
    covers: CoverLookup | None = None,
    newsletters: NewsletterLookup | None = None,
) -> RenderedFeed:
    """The bytes of one feed as the public may see it now; NotFound for an unknown topic."""
    now = utcnow()
    if spec.kind == NEWSLETTERS:
        sent = await newsletters(spec.lang) if newsletters is not None else []
        updated = max((letter.sent_at for letter in sent), default=EPOCH)
        body = build_newsletter_rss(_meta(spec, site, updated, None), sent)
        return RenderedFeed(body=body, media_type=rss.MEDIA_TYPE, last_modified=updated)
    names = await topic_names(spec.topic) if spec.topic is not None else None
    items = await feed_items(spec, site, covers)
    updated = max((item.updated for item in items), default=EPOCH)
    body = BUILDERS[spec.format](_meta(spec, site, updated, names), items)
    scope_change = await _scope_last_change(spec, now)
    last_modified = max(updated, scope_change) if scope_change is not None else updated
    return RenderedFeed(body=body, media_type=MEDIA_TYPES[spec.format], last_modified=last_modified)


class FeedLink(msgspec.Struct):
    """One feed, for a website to link: its address, language, format and title in each language."""

    url: str
    lang: str
    format: str
    media_type: str
    kind: str | None
    topic: str | None
    title: dict[str, str]


class FeedList(msgspec.Struct):
    """Every feed (a complete list: `next_cursor` is always null)."""

    items: list[FeedLink]
    next_cursor: str | None = None


async def list_feeds(site: FeedSite) -> FeedList:
    """Every feed there is, per language and format, with its title in each language."""
    topics = await Topic.select(Topic.slug, Topic.name_ka, Topic.name_en).order_by(Topic.slug)
    names = {row["slug"]: {"ka": row["name_ka"], "en": row["name_en"]} for row in topics}
    return FeedList(
        items=[
            FeedLink(
                url=site.feed_url(spec),
                lang=spec.lang,
                format=spec.format,
                media_type=MEDIA_TYPES[spec.format],
                kind=spec.kind,
                topic=spec.topic,
                title={
                    lang: feed_title(spec, lang, names.get(spec.topic) if spec.topic else None)
                    for lang in LANGUAGES
                },
            )
            for spec in every_feed(list(names))
        ]
    )
