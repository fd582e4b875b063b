"""RSS 2.0 and Atom 1.0 from one feedgen generator, mended where feedgen falls short.

feedgen's traps, handled here: naive datetimes raise (every time is aware); `add_entry()` prepends
(we append); control characters anywhere break the whole feed (every string goes through `clean`);
its Atom entries drop every attribute of their links (our entry extension rewrites them, so the
enclosure keeps `length` and `type` and the other language keeps `hreflang`); `lastBuildDate`
defaults to now (we set `updated` to the newest change, so equal content gives equal bytes).
"""

import html
from typing import Any, Final

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from content.feeds.event_text import event_lines
from content.feeds.model import EventInfo, FeedItem, FeedMeta
from content.feeds.text import SUMMARY_LIMIT, clean, clip, one_line

ATOM_NS: Final = "http://www.w3.org/2005/Atom"
DC_NS: Final = "http://purl.org/dc/elements/1.1/"
EV_NS: Final = "http://purl.org/rss/1.0/modules/event/"
EXTENSION: Final = "scmi"


class _FeedExtension(BaseExtension):  # type: ignore[misc]
    """Declares the namespaces our entry elements use."""

    def extend_ns(self) -> dict[str, str]:
        return {"dc": DC_NS, "ev": EV_NS}


class _EntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """Adds what feedgen cannot write: correct Atom links, per-item alternates in RSS, event data."""

    def __init__(self) -> None:
        self.item: FeedItem | None = None

    def extend_atom(self, entry: Any) -> Any:
        assert self.item is not None
        for link in entry.findall("link"):
            entry.remove(link)  # feedgen lost their rel, type, length and hreflang
        position = list(entry).index(entry.find("updated")) + 1
        for attributes in _atom_links(self.item):
            link = etree.Element("link", attributes)
            entry.insert(position, link)
            position += 1
        _add_event(entry, self.item.event)
        return entry

    def extend_rss(self, entry: Any) -> Any:
        assert self.item is not None
        # RSS 2.0 has only pubDate; atom:updated carries the last change for readers that look.
        etree.SubElement(entry, f"{{{ATOM_NS}}}updated").text = self.item.updated.isoformat()
        if self.item.author:
            etree.SubElement(entry, f"{{{DC_NS}}}creator").text = clean(self.item.author)
        # The page in every language, its own last: feedparser takes the last alternate as the link.
        for alternate in self.item.alternates:
            etree.SubElement(
                entry,
                f"{{{ATOM_NS}}}link",
                {"rel": "alternate", "hreflang": alternate.lang, "href": clean(alternate.url)}
                | ({"title": one_line(alternate.title)} if alternate.title else {}),
            )
        if self.item.alternates:
            own = {"rel": "alternate", "hreflang": self.item.lang, "href": clean(self.item.url)}
            etree.SubElement(entry, f"{{{ATOM_NS}}}link", own)
        _add_event(entry, self.item.event)
        return entry


def _atom_links(item: FeedItem) -> list[dict[str, str]]:
    # Readers disagree on which alternate is "the" link: many take the first, feedparser the last.
    # So the entry's own page comes first (with its language) and last (plain), the other
    # languages between; the Atom rule of one alternate per type and hreflang still holds.
    own = clean(item.url)
    links = [{"rel": "alternate", "type": "text/html", "hreflang": item.lang, "href": own}]
    for alternate in item.alternates:
        link = {
            "rel": "alternate",
            "type": "text/html",
            "hreflang": alternate.lang,
            "href": clean(alternate.url),
        }
        if alternate.title:
            link["title"] = one_line(alternate.title)
        links.append(link)
    if item.alternates:
        links.append({"rel": "alternate", "href": own})
    if item.enclosure is not None:
        links.append(
            {
                "rel": "enclosure",
                "href": clean(item.enclosure.url),
                "type": clean(item.enclosure.mime),
                "length": str(max(item.enclosure.length, 0)),
            }
        )
    return links


def _add_event(entry: Any, event: EventInfo | None) -> None:
    if event is None:
        return
    etree.SubElement(entry, f"{{{EV_NS}}}startdate").text = event.starts_at.isoformat()
    if event.ends_at is not None:
        etree.SubElement(entry, f"{{{EV_NS}}}enddate").text = event.ends_at.isoformat()
    if event.location:
        etree.SubElement(entry, f"{{{EV_NS}}}location").text = clean(event.location)
    if event.cancelled:
        etree.SubElement(entry, f"{{{EV_NS}}}type").text = "cancelled"


def item_html(item: FeedItem) -> str:
    """The full body, after a short paragraph of when and where for an event."""
    body = clean(item.content_html)
    if item.event is None:
        return body
    parts = [
        f"<strong>{html.escape(label)}</strong>" + (f": {html.escape(value)}" if value else "")
        for label, value in event_lines(item.event, item.lang)
    ]
    return clean(f"<p>{'<br>'.join(parts)}</p>\n{body}")


def build_generator(meta: FeedMeta, items: list[FeedItem], feed_type: str) -> FeedGenerator:
    """A feedgen generator holding the feed and its items in the given order.

    `feed_type` is the media type of the document being built, for its self and alternate links.
    """
    generator = FeedGenerator()
    generator.register_extension(EXTENSION, _FeedExtension, _EntryExtension)
    generator.id(clean(meta.feed_id))
    title = one_line(meta.title) or meta.feed_id
    generator.title(title)
    generator.subtitle(clip(meta.description, SUMMARY_LIMIT).strip() or title)
    generator.language(meta.lang)
    generator.link(href=clean(meta.self_url), rel="self", type=feed_type)
    for alternate in meta.alternates:
        generator.link(href=clean(alternate.url), rel="alternate", type=feed_type, hreflang=alternate.lang)
    # Last, so that RSS's single <link> is the website (feedgen takes the last link for it).
    generator.link(href=clean(meta.home_url), rel="alternate", type="text/html", hreflang=meta.lang)
    generator.updated(meta.updated)
    if meta.author.strip():  # Atom wants an author for the feed when an entry has none
        generator.author(name=one_line(meta.author))
    generator.generator(meta.generator)
    if meta.logo_url:
        generator.logo(clean(meta.logo_url))
        generator.icon(clean(meta.logo_url))
    for item in items:
        _add_item(generator.add_entry(order="append"), item)
    return generator


def _add_item(entry: FeedEntry, item: FeedItem) -> None:
    entry.id(clean(item.guid))
    entry.title(one_line(item.title) or item.guid)
    entry.link(href=clean(item.url), rel="alternate")
    if item.enclosure is not None:
        entry.enclosure(
            clean(item.enclosure.url), str(max(item.enclosure.length, 0)), clean(item.enclosure.mime)
        )
    summary = clip(item.summary, SUMMARY_LIMIT)
    if summary:
        entry.summary(summary)
    entry.content(item_html(item), type="html")
    if item.author:
        entry.author(name=clean(item.author))
    for category in item.categories:
        entry.category(term=clean(category.term), label=one_line(category.label) or clean(category.term))
    entry.published(item.published)
    entry.updated(item.updated)
    getattr(entry, EXTENSION).item = item
