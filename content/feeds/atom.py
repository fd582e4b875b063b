"""Atom 1.0 bytes of a feed."""

from content.feeds.model import FeedItem, FeedMeta
from content.feeds.xmlfeeds import build_generator

MEDIA_TYPE = "application/atom+xml; charset=utf-8"


def build_atom(meta: FeedMeta, items: list[FeedItem]) -> bytes:
    """An Atom 1.0 document of the items, in the order given."""
    rendered: bytes = build_generator(meta, items, "application/atom+xml").atom_str(pretty=False)
    return rendered
