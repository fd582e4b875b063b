"""JSON Feed 1.1 bytes of a feed (https://www.jsonfeed.org/version/1.1/)."""

from typing import Any, Final

import msgspec

from content.feeds.model import FeedItem, FeedMeta
from content.feeds.text import SUMMARY_LIMIT, clean, clip, one_line
from content.feeds.xmlfeeds import item_html

VERSION: Final = "https://jsonfeed.org/version/1.1"
MEDIA_TYPE: Final = "application/feed+json; charset=utf-8"


def _item(item: FeedItem) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "id": clean(item.guid),
        "url": clean(item.url),
        "title": one_line(item.title),
        "content_html": item_html(item),
    }
    summary = clip(item.summary, SUMMARY_LIMIT)
    if summary:
        shaped["summary"] = summary
    if item.enclosure is not None:
        shaped["image"] = clean(item.enclosure.url)
    shaped["date_published"] = item.published.isoformat()
    shaped["date_modified"] = item.updated.isoformat()
    if item.author:
        shaped["authors"] = [{"name": clean(item.author)}]
    if item.categories:
        shaped["tags"] = [one_line(category.label) or clean(category.term) for category in item.categories]
    shaped["language"] = item.lang
    if item.enclosure is not None:
        shaped["attachments"] = [
            {
                "url": clean(item.enclosure.url),
                "mime_type": clean(item.enclosure.mime),
                "size_in_bytes": max(item.enclosure.length, 0),
            }
        ]
    # Extensions start with an underscore (JSON Feed 1.1, "Extensions").
    extension: dict[str, Any] = {
        "translations": [
            {"lang": alt.lang, "url": clean(alt.url), "title": one_line(alt.title)} for alt in item.alternates
        ],
        "topics": [{"slug": clean(c.term), "name": one_line(c.label)} for c in item.categories],
    }
    if item.event is not None:
        event = item.event
        extension["event"] = {
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat() if event.ends_at else None,
            "timezone": event.timezone,
            "location": clean(event.location) or None,
            "online_url": clean(event.online_url) or None,
            "registration_url": clean(event.registration_url) or None,
            "cancelled": event.cancelled,
            **(
                {"registration_open": event.registration_open, "places_left": event.places_left}
                if event.registration_open is not None
                else {}
            ),
        }
    shaped["_scmi"] = extension
    return shaped


def build_json_feed(meta: FeedMeta, items: list[FeedItem]) -> bytes:
    """A JSON Feed 1.1 document of the items, in the order given."""
    document: dict[str, Any] = {
        "version": VERSION,
        "title": one_line(meta.title),
        "home_page_url": clean(meta.home_url),
        "feed_url": clean(meta.self_url),
        "description": clip(meta.description, SUMMARY_LIMIT),
        "language": meta.lang,
    }
    if meta.logo_url:
        document["icon"] = clean(meta.logo_url)
        document["favicon"] = clean(meta.logo_url)
    document["_scmi"] = {
        "updated": meta.updated.isoformat(),
        "translations": [{"lang": alt.lang, "url": clean(alt.url)} for alt in meta.alternates],
    }
    document["items"] = [_item(item) for item in items]
    return msgspec.json.encode(document)
