"""Which content changes owe the website which event, recorded in the transaction of the change itself."""

from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid4

from content.languages import LANGUAGES
from content.schemas import to_builtins
from content.shaping import Related, load_related, shape_entries
from content.webhooks.tables import WebhookDelivery, WebhookEndpoint, WebhookEvent
from core.db import as_utc, utcnow

ENTRY_PUBLISHED: Final = "entry.published"
ENTRY_UPDATED: Final = "entry.updated"
ENTRY_UNPUBLISHED: Final = "entry.unpublished"
ENTRY_ARCHIVED: Final = "entry.archived"
CAMPAIGN_SENT: Final = "campaign.sent"
PING: Final = "webhook.ping"
# What an endpoint may ask for; a ping goes to the one endpoint that asked for it, whatever it wants.
EVENT_TYPES: Final = (ENTRY_PUBLISHED, ENTRY_UPDATED, ENTRY_UNPUBLISHED, ENTRY_ARCHIVED, CAMPAIGN_SENT)


def _public_now(entry: dict[str, Any], now: datetime) -> bool:
    """Whether the public sees the entry at `now` (as content.queries.is_public decides in SQL)."""
    embargo = as_utc(entry["embargo_until"])
    return entry["status"] == "published" and (embargo is None or embargo <= now)


def _embargoed(entry: dict[str, Any], now: datetime) -> datetime | None:
    """When a published entry under embargo becomes public, if it is one."""
    embargo = as_utc(entry["embargo_until"])
    if entry["status"] == "published" and embargo is not None and embargo > now:
        return embargo
    return None


async def entry_payload(entry: dict[str, Any], related: Related | None = None) -> dict[str, Any]:
    """The event's `data`: the entry in the public shape in each of its languages, and its state.

    `related` is what the change read to shape the entry already (else it is read here once).
    """
    related = related or await load_related([entry])
    shaped: dict[str, Any] = {}
    for lang in LANGUAGES:
        views = shape_entries([entry], lang, related, staff=False)
        if views and views[0].lang == lang:
            shaped[lang] = to_builtins(views[0])
    published_at = as_utc(entry["published_at"])
    return {
        "id": str(entry["id"]),
        "kind": entry["kind"],
        "status": entry["status"],
        "public": _public_now(entry, utcnow()),
        "published_at": published_at.isoformat() if published_at else None,
        "translations": shaped,
    }


def campaign_sent_data(campaign: dict[str, Any], sent_at: datetime) -> dict[str, Any]:
    """The `data` of campaign.sent: which campaign, its subject and entries, when; never who got it."""
    return {
        "id": str(campaign["id"]),
        "slug": campaign["slug"],
        "subject": {"ka": campaign["subject_ka"], "en": campaign["subject_en"]},
        "entries": [str(entry) for entry in campaign["entries"] or []],
        "lists": list(campaign["lists"] or []),
        "sent_at": sent_at.isoformat(),
    }


async def _subscribers(event_type: str) -> list[UUID]:
    # A turned-off endpoint is owed nothing new: turned on again, it does not get days of backlog.
    rows = (
        await WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.events)
        .where(WebhookEndpoint.enabled == True)  # noqa: E712 (a column comparison, not a truth test)
        .output(load_json=True)
    )
    return [row["id"] for row in rows if event_type in (row["events"] or [])]


async def _endpoints() -> list[dict[str, Any]]:
    """Every endpoint: its id, whether it is enabled and the event types it wants (one query)."""
    rows: list[dict[str, Any]] = await WebhookEndpoint.select(
        WebhookEndpoint.id, WebhookEndpoint.enabled, WebhookEndpoint.events
    ).output(load_json=True)
    return rows


async def record_event(
    event_type: str,
    data: dict[str, Any],
    *,
    entry_id: UUID | None = None,
    due_at: datetime | None = None,
    endpoint_ids: list[UUID] | None = None,
) -> UUID | None:
    """Store an event and one delivery per endpoint that wants it; call inside the change's transaction.

    `endpoint_ids` names the endpoints outright (a ping, a redelivery); None: every endpoint that
    asked for the type. Returns the event's id, or None when no endpoint wants it.
    """
    targets = endpoint_ids if endpoint_ids is not None else await _subscribers(event_type)
    if not targets:
        return None
    now = utcnow()
    due = due_at or now
    event_id = uuid4()
    payload = {"type": event_type, "timestamp": now.isoformat(), "data": data}
    await WebhookEvent(
        id=event_id, type=event_type, entry_id=entry_id, payload=payload, due_at=due, created_at=now
    ).save()
    # One plain multi-row INSERT: building a Table object per endpoint cost a publish more than the write.
    rows = ", ".join(["({}, {}, {}, {}, 'pending', 0, {}, '', {})"] * len(targets))
    columns = "id, endpoint, event, entry_id, status, attempts, next_attempt_at, last_error, created_at"
    await WebhookDelivery.raw(
        f"INSERT INTO webhook_delivery ({columns}) VALUES {rows}",  # noqa: S608 (placeholders only)
        *[value for endpoint_id in targets for value in (uuid4(), endpoint_id, event_id, entry_id, due, now)],
    )
    return event_id


async def _withdraw_not_yet_due(entry_id: UUID, now: datetime) -> None:
    """A later change of an entry makes moot what it owed at a future time (an embargoed publish)."""
    future = WebhookEvent.select(WebhookEvent.id).where(
        (WebhookEvent.entry_id == entry_id) & (WebhookEvent.due_at > now)
    )
    await WebhookDelivery.update({WebhookDelivery.status: "withdrawn"}).where(
        WebhookDelivery.event.is_in(future) & (WebhookDelivery.status == "pending")
    )


async def note_entry_change(
    before: dict[str, Any], after: dict[str, Any], changed: list[str], related: Related | None = None
) -> None:
    """Record the event an entry's change owes the website, if any (inside the change's transaction).

    Public before and after: updated. Becoming public: published (at the embargo's end when there
    is one: the website learns of it when the public may read it). Leaving the public: archived or
    unpublished. Drafts, schedules and embargoed entries owe nothing yet: nothing leaks early.
    `related` is what the change read to shape the entry (content.shaping.load_related), if it did.
    """
    endpoints = await _endpoints()
    if not endpoints:
        return  # no endpoint: nothing owed, and publishing pays one query for the feature
    now = utcnow()
    if _embargoed(before, now) is not None:
        # Only an embargoed publish owes anything at a future time, and this change supersedes it.
        await _withdraw_not_yet_due(after["id"], now)
    was_public, is_public = _public_now(before, now), _public_now(after, now)
    lifts_at = _embargoed(after, now)
    if is_public and not was_public:
        event_type, due = ENTRY_PUBLISHED, None
    elif lifts_at is not None and not was_public:
        event_type, due = ENTRY_PUBLISHED, lifts_at
    elif is_public and was_public:
        if not changed:
            return  # saved without a change: nothing new for the website
        event_type, due = ENTRY_UPDATED, None
    elif was_public:
        event_type = ENTRY_ARCHIVED if after["status"] == "archived" else ENTRY_UNPUBLISHED
        due = None
    else:
        return
    # A turned-off endpoint is owed nothing new: turned on again, it does not get days of backlog.
    targets = [row["id"] for row in endpoints if row["enabled"] and event_type in (row["events"] or [])]
    if not targets:
        return
    data = await entry_payload(after, related)
    if due is not None:
        data["public"] = True  # sent when the embargo lifts, when it is
    await record_event(event_type, data, entry_id=after["id"], due_at=due, endpoint_ids=targets)
