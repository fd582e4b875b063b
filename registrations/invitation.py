"""The event as an iCalendar invitation (RFC 5546): the events feed's UID, SEQUENCE rising on changes."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from uuid import UUID
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from content.feeds.ics import PRODID, ZONE_SPAN
from content.feeds.links import item_guid
from content.feeds.text import clean, one_line

MEDIA_TYPE: Final = "text/calendar"


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What an invitation says of an event, in the registrant's language."""

    event_id: UUID
    lang: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    location: str
    url: str
    sequence: int
    cancelled: bool
    updated: datetime


def invitation(facts: EventFacts, *, organiser: str, attendee: str, name: str, method: str) -> bytes:
    """`REQUEST` (a place, or a change) or `CANCEL` (the event, or this person's place, is off)."""
    zone = ZoneInfo(facts.timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    # The same UID as the events feed of this language: a calendar that has both keeps one event.
    event.add("uid", item_guid(facts.event_id, facts.lang))
    event.add("dtstamp", facts.updated.astimezone(UTC))
    event.add("dtstart", facts.starts_at.astimezone(zone))
    if facts.ends_at is not None:
        event.add("dtend", facts.ends_at.astimezone(zone))
    event.add("summary", one_line(facts.title))
    if facts.location:
        event.add("location", clean(facts.location))
    if facts.url:
        event.add("url", clean(facts.url))
    event.add("sequence", max(facts.sequence, 0))
    cancelled = method == "CANCEL" or facts.cancelled
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", vCalAddress(f"mailto:{organiser}"))
    person = vCalAddress(f"mailto:{attendee}")
    if name:
        person.params["CN"] = vText(one_line(name))
    person.params["ROLE"] = vText("REQ-PARTICIPANT")
    person.params["PARTSTAT"] = vText("ACCEPTED")
    event.add("attendee", person)
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    calendar.add_missing_timezones(*ZONE_SPAN)
    rendered: bytes = calendar.to_ical()
    return rendered
