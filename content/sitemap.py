"""The sitemap (sitemaps.org 0.9): every public entry's page in each language, with its alternates."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from lxml import etree

from content.feeds.links import FeedSite
from content.languages import LANGUAGES
from content.queries import is_public, public_entry_ids
from content.tables import Entry, EntryTranslation
from core.db import as_utc, utcnow

SITEMAP_NS: Final = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS: Final = "http://www.w3.org/1999/xhtml"
# A sitemap file holds at most 50,000 addresses (sitemaps.org); each entry has one per language.
MAX_ENTRIES: Final = 50_000 // len(LANGUAGES)
MEDIA_TYPE: Final = "application/xml"


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One public entry: its kind, when it last changed for the public, and its slug per language."""

    id: UUID
    kind: str
    lastmod: datetime
    slugs: dict[str, str]


async def public_entries(limit: int = MAX_ENTRIES) -> list[SitemapEntry]:
    """The public entries, newest first, with their slugs in every language they have."""
    now = utcnow()
    rows = (
        await Entry.select(Entry.id, Entry.kind, Entry.updated_at, Entry.published_at, Entry.embargo_until)
        .where(is_public())
        .order_by(Entry.published_at, Entry.id, ascending=False)
        .limit(limit)
    )
    if not rows:
        return []
    slugs: dict[UUID, dict[str, str]] = defaultdict(dict)
    for text in await EntryTranslation.select(
        EntryTranslation.entry, EntryTranslation.lang, EntryTranslation.slug
    ).where(EntryTranslation.entry.is_in(public_entry_ids())):
        slugs[text["entry"]][text["lang"]] = text["slug"]
    entries = []
    for row in rows:
        # An embargo lifting shows the entry with no write: it changed for the public then.
        moments = [as_utc(row["updated_at"]), as_utc(row["published_at"]), as_utc(row["embargo_until"])]
        lastmod = max(moment for moment in moments if moment is not None and moment <= now)
        entries.append(SitemapEntry(id=row["id"], kind=row["kind"], lastmod=lastmod, slugs=slugs[row["id"]]))
    return entries


def build_sitemap(entries: list[SitemapEntry], site: FeedSite) -> bytes:
    """The sitemap's bytes: one `<url>` per entry and language, each naming every language's page."""
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    for entry in entries:
        pages = {
            lang: site.entry_url(entry.kind, lang, entry.slugs[lang], entry.id)
            for lang in LANGUAGES
            if lang in entry.slugs
        }
        for address in pages.values():
            url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
            etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = address
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = entry.lastmod.isoformat(
                timespec="seconds"
            )
            if len(pages) > 1:
                for other, other_address in pages.items():
                    etree.SubElement(
                        url,
                        f"{{{XHTML_NS}}}link",
                        rel="alternate",
                        hreflang=other,
                        href=other_address,
                    )
    return bytes(etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True))
