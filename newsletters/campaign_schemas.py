"""Bodies and answers of the template and campaign API."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from content.languages import Lang


class TemplateIn(msgspec.Struct, forbid_unknown_fields=True):
    """A template to save: its slug, names in both languages and its MJML."""

    slug: str
    name: dict[str, str]
    mjml: str


class TemplateOut(msgspec.Struct):
    """A saved template."""

    id: UUID
    slug: str
    name: dict[str, str]
    mjml: str
    created_at: datetime
    updated_at: datetime


class PreviewOut(msgspec.Struct):
    """A template rendered with sample data."""

    lang: str
    html: str
    text: str


class CampaignIn(msgspec.Struct, forbid_unknown_fields=True):
    """A campaign draft: texts in both languages, a template, entries and target lists.

    A sender left out (`from_name`, `from_address`, or both) is MAIL_FROM's; "" names no one.
    """

    template: str
    subject: dict[str, str]
    intro: dict[str, str] = msgspec.field(default_factory=dict)
    entries: list[UUID] = msgspec.field(default_factory=list)
    lists: list[str] = msgspec.field(default_factory=list)
    from_name: str | None = None
    from_address: str | None = None
    reply_to: str | None = None
    slug: str | None = None


class Counts(msgspec.Struct):
    """Where a campaign's recipients stand."""

    recipients: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    pending: int = 0
    skipped: int = 0  # unsubscribed, bounced or erased after the send began: not mailed
    complained: int = 0  # sent, then reported as spam by the recipient (a complaint report)


class CampaignOut(msgspec.Struct):
    """A campaign with its status and counts."""

    id: UUID
    slug: str
    status: str
    template: str
    subject: dict[str, str]
    intro: dict[str, str]
    entries: list[UUID]
    lists: list[str]
    from_name: str
    from_address: str
    reply_to: str | None
    send_at: datetime | None
    started_at: datetime | None
    sent_at: datetime | None
    counts: Counts
    # Complaints per message sent; flagged above 0.1 % (mailbox providers throttle a sender at 0.3 %).
    complaint_rate: float = 0.0
    complaints_flagged: bool = False
    # "" for a campaign to its lists; "event" for one to an event's registrants, with the event and the
    # statuses mailed in audience_spec.
    audience: str = ""
    audience_spec: dict[str, Any] = msgspec.field(default_factory=dict)


class SendIn(msgspec.Struct, forbid_unknown_fields=True):
    """When to send: now when `at` is absent (or when there is no body at all)."""

    at: datetime | None = None


class TestIn(msgspec.Struct, forbid_unknown_fields=True):
    """Addresses a test send goes to (left out of the counts)."""

    addresses: list[str]
    lang: Lang | None = None


class Queued(msgspec.Struct):
    """A test send was queued."""

    queued: int


class DigestIn(msgspec.Struct, forbid_unknown_fields=True):
    """Draft a digest of the entries published since a time, to some lists."""

    since: datetime
    lists: list[str]
    template: str = "digest"
    from_name: str | None = None
    from_address: str | None = None
