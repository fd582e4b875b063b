"""A short, human-readable line of when and where an event happens, in the feed's language."""

from typing import Final
from zoneinfo import ZoneInfo

from content.feeds.model import EventInfo

LABELS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "when": "როდის",
        "where": "სად",
        "online": "ონლაინ",
        "cancelled": "ღონისძიება გაუქმებულია",
        "places_left": "დარჩენილი ადგილები",
    },
    "en": {
        "when": "When",
        "where": "Where",
        "online": "Online",
        "cancelled": "This event is cancelled",
        "places_left": "Places left",
    },
}


def when_text(event: EventInfo) -> str:
    """The event's time in its own zone, e.g. `2026-12-18 10:00–13:00 (Asia/Tbilisi)`."""
    zone = ZoneInfo(event.timezone)
    start = event.starts_at.astimezone(zone)
    text = start.strftime("%Y-%m-%d %H:%M")
    if event.ends_at is not None:
        end = event.ends_at.astimezone(zone)
        text += "–" + end.strftime("%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M")
    return f"{text} ({event.timezone})"


def event_lines(event: EventInfo, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs describing the event; values are plain text."""
    labels = LABELS.get(lang, LABELS["en"])
    lines: list[tuple[str, str]] = []
    if event.cancelled:
        lines.append((labels["cancelled"], ""))
    lines.append((labels["when"], when_text(event)))
    if event.location:
        lines.append((labels["where"], event.location))
    if event.online_url:
        lines.append((labels["online"], event.online_url))
    if event.registration_open and event.places_left is not None:
        lines.append((labels["places_left"], str(event.places_left)))
    return lines
