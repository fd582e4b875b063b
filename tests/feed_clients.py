"""Real feed clients for tests: feedparser, icalendar and a JSON Feed 1.1 schema check."""

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import jsonschema
from icalendar import Calendar

# JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) as a JSON Schema: required fields, types,
# and the rule that an item has content_html or content_text.
_AUTHOR = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "url": {"type": "string"}, "avatar": {"type": "string"}},
    "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
}
_ATTACHMENT = {
    "type": "object",
    "required": ["url", "mime_type"],
    "properties": {
        "url": {"type": "string", "format": "uri"},
        "mime_type": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "size_in_bytes": {"type": "integer", "minimum": 0},
        "duration_in_seconds": {"type": "number", "minimum": 0},
    },
}
_ITEM = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "url": {"type": "string", "format": "uri"},
        "external_url": {"type": "string"},
        "title": {"type": "string"},
        "content_html": {"type": "string"},
        "content_text": {"type": "string"},
        "summary": {"type": "string"},
        "image": {"type": "string"},
        "banner_image": {"type": "string"},
        "date_published": {"type": "string", "format": "date-time"},
        "date_modified": {"type": "string", "format": "date-time"},
        "authors": {"type": "array", "items": _AUTHOR},
        "tags": {"type": "array", "items": {"type": "string"}},
        "language": {"type": "string"},
        "attachments": {"type": "array", "items": _ATTACHMENT},
    },
    "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
}
JSON_FEED_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "user_comment": {"type": "string"},
        "next_url": {"type": "string"},
        "icon": {"type": "string"},
        "favicon": {"type": "string"},
        "authors": {"type": "array", "items": _AUTHOR},
        "language": {"type": "string"},
        "expired": {"type": "boolean"},
        "hubs": {"type": "array"},
        "items": {"type": "array", "items": _ITEM},
    },
}


def parse_xml_feed(body: bytes) -> Any:
    """Parse RSS or Atom as feed readers do; a `bozo` (malformed) feed fails the test."""
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def parse_json_feed(body: bytes) -> dict[str, Any]:
    """Decode a JSON Feed (strict UTF-8) and check it against the JSON Feed 1.1 schema."""
    document: dict[str, Any] = json.loads(body.decode("utf-8"))
    jsonschema.validate(document, JSON_FEED_SCHEMA)
    # The schema's formats need optional packages; check the ones that matter by hand.
    for item in document["items"]:
        for name in ("date_published", "date_modified"):
            if name in item:
                assert datetime.fromisoformat(item[name]).tzinfo is not None, item[name]
        for name in ("url",):
            if name in item:
                assert urlsplit(item[name]).scheme in {"http", "https"}, item[name]
    return document


def parse_calendar(body: bytes) -> Calendar:
    """Parse iCalendar and check it survives a round trip unchanged."""
    body.decode("utf-8")
    calendar = Calendar.from_ical(body)
    assert Calendar.from_ical(calendar.to_ical()).to_ical() == calendar.to_ical()
    for component in calendar.walk():
        assert not getattr(component, "errors", []), component.errors
    return calendar


def parse_any(format_: str, body: bytes) -> Any:
    """Parse a feed of any of our formats with its real client."""
    if format_ in {"rss", "atom"}:
        return parse_xml_feed(body)
    if format_ == "json":
        return parse_json_feed(body)
    return parse_calendar(body)
