"""RSS 2.0 bytes of a feed."""

from content.feeds.model import FeedItem, FeedMeta
from content.feeds.xmlfeeds import build_generator

MEDIA_TYPE = "application/rss+xml; charset=utf-8"


def build_rss(meta: FeedMeta, items: list[FeedItem]) -> bytes:
    """An RSS 2.0 document of the items, in the order given."""
    rendered: bytes = build_generator(meta, items, "application/rss+xml").rss_str(pretty=False)
    return rendered
