"""What a feed is made of: its own facts and its items, independent of any format."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A media file attached to an item (the cover image): its URL, size in bytes and MIME type."""

    url: str
    length: int
    mime: str


@dataclass(frozen=True, slots=True)
class Alternate:
    """The same item (or feed) in another language."""

    lang: str
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Category:
    """A topic the item is filed under: its stable slug and its name in the feed's language."""

    term: str
    label: str


@dataclass(frozen=True, slots=True)
class EventInfo:
    """When and where an event happens; times are aware, `timezone` is an IANA name."""

    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    location: str | None = None
    online_url: str | None = None
    registration_url: str | None = None
    cancelled: bool = False
    # Registration here: open or not, and the places left (None: no limit); no personal data.
    registration_open: bool | None = None
    places_left: int | None = None


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry in one language, as every feed format shows it."""

    guid: str
    url: str
    title: str
    summary: str
    content_html: str
    author: str
    published: datetime
    updated: datetime
    lang: str
    categories: tuple[Category, ...] = ()
    enclosure: Enclosure | None = None
    alternates: tuple[Alternate, ...] = ()
    event: EventInfo | None = None
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """The feed itself: identity, language, titles, links and the time of its newest change."""

    feed_id: str
    title: str
    description: str
    lang: str
    self_url: str
    home_url: str
    updated: datetime
    logo_url: str | None = None
    author: str = ""
    generator: str = "SCMI newsroom"
    alternates: tuple[Alternate, ...] = field(default=())
