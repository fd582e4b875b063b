"""Piccolo tables of the content app."""

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Topic(Table):
    """A thematic direction of migration work, named in both languages."""

    id = UUID(primary_key=True)
    slug = Varchar(length=100, unique=True)
    name_ka = Varchar(length=200)
    name_en = Varchar(length=200)
    created_at = Timestamptz()
    # Set by a rename, so the content version (and every public cache keyed by it) moves.
    updated_at = Timestamptz(null=True, default=None)


class Entry(Table):
    """One piece of content of any kind, with the fields that are the same in every language."""

    id = UUID(primary_key=True)
    kind = Varchar(length=20)
    status = Varchar(length=20, default="draft")
    created_by = UUID(null=True, default=None)
    author_name = Varchar(length=200, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    publish_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    embargo_until = Timestamptz(null=True, default=None)
    # When a published entry leaves the public again (the worker's cron unpublishes it).
    unpublish_at = Timestamptz(null=True, default=None)
    cover_id = UUID(null=True, default=None)
    revision = Integer(default=0)
    # Kind fields: events
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    timezone = Varchar(length=64, null=True, default=None)
    online_url = Varchar(length=2000, null=True, default=None)
    registration_url = Varchar(length=2000, null=True, default=None)
    cancelled = Boolean(default=False)
    # Registration settings (open, capacity, closes_at, waitlist, press), null: no registration here.
    registration = JSON(null=True, default=None)
    # Places held by registrants; only the registrations package writes them, under a row lock.
    places_taken = Integer(default=0)
    places_changed_at = Timestamptz(null=True, default=None)
    # Kind fields: announcements
    deadline = Timestamptz(null=True, default=None)
    external_url = Varchar(length=2000, null=True, default=None)
    # Kind fields: materials
    material_type = Varchar(length=40, null=True, default=None)


class EntryTranslation(Table):
    """An entry's text in one language; `kind` is copied from the entry so slugs index per kind."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=Entry, on_delete=OnDelete.cascade)
    kind = Varchar(length=20)
    lang = Varchar(length=2)
    slug = Varchar(length=100)
    title = Text()
    summary = Text(default="")
    body = Text(default="")
    body_html = Text(default="")
    search_text = Text(default="")
    location = Text(null=True, default=None)
    # The entry's revision that last changed this language's title, summary or body, and the other
    # language's such revision this one was last written against: behind it, it is outdated.
    text_revision = Integer(default=0)
    source_revision = Integer(default=0)


class EntrySlug(Table):
    """Every slug an entry has held, so a published link keeps working after a title is edited."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=Entry, on_delete=OnDelete.cascade)
    kind = Varchar(length=20)
    lang = Varchar(length=2)
    slug = Varchar(length=100)
    created_at = Timestamptz()


class EntryTopic(Table):
    """Which topics an entry belongs to."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=Entry, on_delete=OnDelete.cascade)
    topic = ForeignKey(references=Topic, on_delete=OnDelete.cascade)


class EntryAttachment(Table):
    """A media asset attached to an entry, in order."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=Entry, on_delete=OnDelete.cascade)
    asset_id = UUID()
    position = Integer(default=0)


class Revision(Table):
    """One save of an entry: who, when, which fields changed, and the entry as it then stood."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=Entry, on_delete=OnDelete.cascade)
    number = Integer()
    staff_id = UUID(null=True, default=None)
    staff_name = Varchar(length=200, default="")
    action = Varchar(length=20)
    changed = JSON(default=[])
    snapshot = JSON(default={})
    created_at = Timestamptz()


class EntryComment(Table):
    """One message of the review conversation on an entry (a submit or request-changes note is one too)."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=Entry, on_delete=OnDelete.cascade)
    staff_id = UUID(null=True, default=None)
    staff_name = Varchar(length=200, default="")
    # "comment", or the workflow step the note came with: "submit", "request_changes".
    action = Varchar(length=20, default="comment")
    body = Text(default="")
    body_html = Text(default="")
    created_at = Timestamptz()


class MediaAsset(Table):
    """A file of the media library, stored under keys made from its sha256, never from its name."""

    id = UUID(primary_key=True)
    sha256 = Varchar(length=64, unique=True)
    mime = Varchar(length=100)
    family = Varchar(length=20)
    extension = Varchar(length=10)
    size = BigInt()
    original_key = Varchar(length=200)
    file_key = Varchar(length=200)
    original_name = Varchar(length=255, default="")
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    renditions = JSON(default=[])
    caption = JSON(default={})
    alt = JSON(default={})
    credit = JSON(default={})
    licence = Varchar(length=100, default="")
    uploaded_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PreviewLink(Table):
    """A link that shows one entry before it is public; only the token's sha256 is kept."""

    id = UUID(primary_key=True)
    entry = ForeignKey(references=Entry, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
