"""iCalendar (RFC 5545) bytes of events, with a VTIMEZONE for every zone they use."""

from datetime import UTC, date, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vText

from content.feeds.model import FeedItem, FeedMeta
from content.feeds.text import SUMMARY_LIMIT, clean, clip, html_to_plain, one_line

MEDIA_TYPE: Final = "text/calendar; charset=utf-8"
PRODID: Final = "-//SCMI Secretariat//Newsroom//EN"
# A fixed span for the generated VTIMEZONEs keeps the bytes stable from one render to the next.
ZONE_SPAN: Final = (date(1970, 1, 1), date(2038, 1, 1))


def _event(item: FeedItem) -> Event:
    assert item.event is not None
    info = item.event
    zone = ZoneInfo(info.timezone)
    event = Event()
    event.add("uid", clean(item.guid))
    # DTSTAMP is the time this version of the event was made: its last change, so bytes stay stable.
    event.add("dtstamp", item.updated.astimezone(UTC))
    event.add("dtstart", info.starts_at.astimezone(zone))
    if info.ends_at is not None:
        event.add("dtend", info.ends_at.astimezone(zone))
    event.add("summary", one_line(item.title))
    description = clip(html_to_plain(item.summary) or html_to_plain(item.content_html), SUMMARY_LIMIT)
    if description:
        event.add("description", description)
    location = clean(info.location) or clean(info.online_url)
    if location:
        event.add("location", location)
    event.add("url", clean(item.url))
    event.add("status", "CANCELLED" if info.cancelled else "CONFIRMED")
    event.add("sequence", max(item.sequence, 0))
    event.add("created", item.published.astimezone(UTC))
    event.add("last-modified", item.updated.astimezone(UTC))
    if item.categories:
        event.add("categories", [one_line(category.label) or category.term for category in item.categories])
    event.add("transp", "OPAQUE")
    return event


def build_calendar(meta: FeedMeta, items: list[FeedItem]) -> bytes:
    """A published calendar of the items that are events, in the order given."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", vText(one_line(meta.title)))
    calendar.add("x-wr-calname", vText(one_line(meta.title)))
    description = clip(meta.description, SUMMARY_LIMIT)
    if description:
        calendar.add("description", vText(description))
        calendar.add("x-wr-caldesc", vText(description))
    calendar.add("source", clean(meta.self_url), parameters={"VALUE": "URI"})
    calendar.add("url", clean(meta.home_url))
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in items:
        if item.event is not None:
            calendar.add_component(_event(item))
    calendar.add_missing_timezones(*ZONE_SPAN)
    rendered: bytes = calendar.to_ical()
    return rendered
