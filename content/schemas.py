"""The shapes content takes in and gives out: msgspec structures, validated on decode."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from content.kinds import MaterialType
from content.languages import Lang
from content.media.schemas import AssetOut

Title = Annotated[str, Meta(min_length=1, max_length=500)]
Summary = Annotated[str, Meta(max_length=5_000)]
Body = Annotated[str, Meta(max_length=500_000)]
Location = Annotated[str, Meta(max_length=1_000)]
Url = Annotated[str, Meta(max_length=2_000, pattern=r"^https?://[^\s]+$")]
TimeZoneName = Annotated[str, Meta(min_length=1, max_length=64)]
TopicSlug = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
AwareDatetime = Annotated[datetime, Meta(tz=True)]


class TranslationIn(Struct, forbid_unknown_fields=True):
    """An entry's text in one language, as staff write it (body in Markdown or HTML)."""

    title: Title
    summary: Summary = ""
    body: Body = ""
    location: Location | None = None


class TranslationPatch(Struct, forbid_unknown_fields=True):
    """A change to one language's text; fields left out stay as they are."""

    title: Title | UnsetType = UNSET
    summary: Summary | UnsetType = UNSET
    body: Body | UnsetType = UNSET
    location: Location | None | UnsetType = UNSET


class RegistrationIn(Struct, forbid_unknown_fields=True):
    """An event's registration settings: open or not, places (none: no limit), closing, waitlist, press."""

    open: bool = False
    capacity: Annotated[int, Meta(ge=0, le=100_000)] | None = None
    closes_at: AwareDatetime | None = None
    waitlist: bool = False
    press: bool = False


class RegistrationOut(Struct):
    """The registration settings the public sees, with the places left (null: no limit)."""

    open: bool
    capacity: int | None
    closes_at: datetime | None
    waitlist: bool
    press: bool
    places_left: int | None


class EntryIn(Struct, forbid_unknown_fields=True):
    """A new draft: at least one translation, plus the fields of its kind."""

    translations: Annotated[dict[Lang, TranslationIn], Meta(min_length=1)]
    topics: Annotated[list[TopicSlug], Meta(max_length=50)] = []
    cover_id: UUID | None = None
    attachment_ids: Annotated[list[UUID], Meta(max_length=200)] = []
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    timezone: TimeZoneName | None = None
    online_url: Url | None = None
    registration_url: Url | None = None
    cancelled: bool | None = None
    registration: RegistrationIn | None = None
    deadline: AwareDatetime | None = None
    external_url: Url | None = None
    material_type: MaterialType | None = None


class EntryPatch(Struct, forbid_unknown_fields=True):
    """A change to an entry; a translation set to null is removed (one must remain)."""

    translations: dict[Lang, TranslationPatch | None] | UnsetType = UNSET
    topics: Annotated[list[TopicSlug], Meta(max_length=50)] | UnsetType = UNSET
    cover_id: UUID | None | UnsetType = UNSET
    attachment_ids: Annotated[list[UUID], Meta(max_length=200)] | UnsetType = UNSET
    starts_at: AwareDatetime | None | UnsetType = UNSET
    ends_at: AwareDatetime | None | UnsetType = UNSET
    timezone: TimeZoneName | None | UnsetType = UNSET
    online_url: Url | None | UnsetType = UNSET
    registration_url: Url | None | UnsetType = UNSET
    cancelled: bool | None | UnsetType = UNSET
    registration: RegistrationIn | None | UnsetType = UNSET
    deadline: AwareDatetime | None | UnsetType = UNSET
    external_url: Url | None | UnsetType = UNSET
    material_type: MaterialType | None | UnsetType = UNSET
    unpublish_at: AwareDatetime | None | UnsetType = UNSET


class PublishIn(Struct, forbid_unknown_fields=True):
    """Publish now, or at `at`; `embargo_until` keeps a published entry from the public until then."""

    at: AwareDatetime | None = None
    embargo_until: AwareDatetime | None = None
    unpublish_at: AwareDatetime | None = None


class TopicIn(Struct, forbid_unknown_fields=True):
    """A new thematic direction."""

    slug: TopicSlug
    name: dict[Lang, Annotated[str, Meta(min_length=1, max_length=200)]]


class TopicRename(Struct, forbid_unknown_fields=True):
    """New names of a thematic direction, in one language or both; its slug stays.

    The names' rules (languages, length, not blank) are `topics.rename_topic`'s, answered with 422.
    """

    name: dict[str, str]


class TopicOut(Struct):
    """A thematic direction with its names in both languages."""

    slug: str
    name: dict[str, str]


class TranslationRef(Struct):
    """Where an entry can be read in another language."""

    lang: str
    slug: str
    title: str


class EntryOut(Struct, omit_defaults=True):
    """A published entry in one language, as the public sees it; kind fields appear for their kind."""

    id: UUID
    kind: str
    lang: str
    slug: str
    title: str
    summary: str
    body_html: str
    topics: list[TopicOut]
    published_at: datetime | None
    updated_at: datetime
    author: str
    cover_id: UUID | None
    attachment_ids: list[UUID]
    translations: list[TranslationRef]
    location: str | None | UnsetType = UNSET
    starts_at: datetime | None | UnsetType = UNSET
    ends_at: datetime | None | UnsetType = UNSET
    timezone: str | None | UnsetType = UNSET
    online_url: str | None | UnsetType = UNSET
    registration_url: str | None | UnsetType = UNSET
    cancelled: bool | UnsetType = UNSET
    registration: RegistrationOut | None | UnsetType = UNSET
    deadline: datetime | None | UnsetType = UNSET
    external_url: str | None | UnsetType = UNSET
    material_type: str | None | UnsetType = UNSET
    # The cover and attachments as assets (url, mime, size...), beside their ids.
    cover: AssetOut | None = None
    attachments: list[AssetOut] = []
    # Staff fields: present only in answers to staff.
    status: str | UnsetType = UNSET
    publish_at: datetime | None | UnsetType = UNSET
    embargo_until: datetime | None | UnsetType = UNSET
    unpublish_at: datetime | None | UnsetType = UNSET
    created_at: datetime | UnsetType = UNSET
    created_by: UUID | None | UnsetType = UNSET
    revision: int | UnsetType = UNSET
    sources: dict[str, "TranslationSource"] | UnsetType = UNSET


class TranslationSource(Struct):
    """One language as staff wrote it, for editing."""

    slug: str
    title: str
    summary: str
    body: str
    body_html: str
    location: str | None
    # The other language's title, summary or body changed after this one was last written.
    outdated: bool = False


class EntryPage(Struct):
    """One page of a list, with the cursor of the next page (null on the last)."""

    items: list[EntryOut]
    next_cursor: str | None


class RevisionOut(Struct):
    """One save of an entry."""

    number: int
    action: str
    changed: list[str]
    staff_id: UUID | None
    staff_name: str
    created_at: datetime


class FieldChange(Struct):
    """One field that differs between two revisions, its value then and now as text."""

    field: str
    old: str
    new: str


Note = Annotated[str, Meta(max_length=20_000)]


class NoteIn(Struct, forbid_unknown_fields=True):
    """A workflow step's note: optional on submit, required to request changes."""

    note: Note | None = None


class CommentIn(Struct, forbid_unknown_fields=True):
    """A comment of the review conversation, in Markdown."""

    body: Note


class CommentOut(Struct):
    """One comment: who, when, the text and its sanitised HTML; `action` names the step it came with."""

    id: UUID
    action: str
    body: str
    body_html: str
    staff_id: UUID | None
    staff_name: str
    created_at: datetime


class RevisionDetail(Struct):
    """One revision with the fields it changed against the revision before it."""

    number: int
    action: str
    changed: list[str]
    staff_id: UUID | None
    staff_name: str
    created_at: datetime
    diff: list[FieldChange]
    entry: dict[str, object]


class Actor(Struct, frozen=True):
    """Who asks for a write: their id, name, and whether they may change other people's work."""

    id: UUID
    name: str
    can_edit_any: bool
    can_publish: bool


def to_builtins(value: object) -> object:
    """A structure as plain JSON-ready values, for revision snapshots."""
    return msgspec.to_builtins(value)


class SearchHit(Struct):
    """One text that matched a search: an entry of some kind in one language, with a marked passage.

    `snippet` is HTML: the entry's plain text, escaped, with the matching words in `<mark>`.
    """

    id: UUID
    kind: str
    lang: str
    slug: str
    title: str
    summary: str
    published_at: datetime | None
    snippet: str


class SearchPage(Struct):
    """One page of search results, best first, with the cursor of the next page (null on the last)."""

    items: list[SearchHit]
    next_cursor: str | None


class PreviewLinkIn(Struct, forbid_unknown_fields=True):
    """How long a new preview link works (default 7 days)."""

    expires_in_days: Annotated[int, Meta(ge=1, le=90)] = 7


class PreviewLinkOut(Struct):
    """A new preview link: the address to open, its token (shown only now) and when it stops working."""

    url: str
    token: str
    expires_at: datetime
