"""The sitemap (sitemaps.org 0.9): every public entry's page in each language, with its alternates.

Up to `max_urls` addresses (50,000, the protocol's limit) it is one `<urlset>`; past that,
`/sitemap.xml` is a `<sitemapindex>` of child sitemaps, each holding whole entries (all languages of
one entry in the same file), oldest first so that a child's contents stay put as new entries arrive.
"""

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
# A sitemap file holds at most 50,000 addresses (sitemaps.org), and so does an index.
MAX_URLS: Final = 50_000
MEDIA_TYPE: Final = "application/xml"


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One public entry: its kind, when it last changed for the public, and its slug per language."""

    id: UUID
    kind: str
    lastmod: datetime
    slugs: dict[str, str]


@dataclass(frozen=True, slots=True)
class Child:
    """One child sitemap of the index: its number and its newest change."""

    number: int
    lastmod: datetime


def entries_per_child(max_urls: int) -> int:
    """How many entries a child holds: each may have a page in every language."""
    if not len(LANGUAGES) <= max_urls <= MAX_URLS:
        raise ValueError(f"a sitemap holds {len(LANGUAGES)} to {MAX_URLS} addresses")
    return max_urls // len(LANGUAGES)


async def _public_rows() -> list[tuple[UUID, str, datetime]]:
    """Every public entry's id, kind and last public change, oldest first."""
    now = utcnow()
    rows = (
        await Entry.select(Entry.id, Entry.kind, Entry.updated_at, Entry.published_at, Entry.embargo_until)
        .where(is_public())
        .order_by(Entry.published_at, Entry.id)
    )
    found = []
    for row in rows:
        # An embargo lifting shows the entry with no write: it changed for the public then.
        moments = [as_utc(row["updated_at"]), as_utc(row["published_at"]), as_utc(row["embargo_until"])]
        lastmod = max(moment for moment in moments if moment is not None and moment <= now)
        found.append((row["id"], row["kind"], lastmod))
    return found


async def _with_slugs(rows: list[tuple[UUID, str, datetime]], *, every: bool) -> list[SitemapEntry]:
    """The rows with their slugs per language (`every`: all public entries' slugs in one query)."""
    if not rows:
        return []
    query = EntryTranslation.select(EntryTranslation.entry, EntryTranslation.lang, EntryTranslation.slug)
    if every:
        query = query.where(EntryTranslation.entry.is_in(public_entry_ids()))
    else:
        query = query.where(EntryTranslation.entry.is_in([entry_id for entry_id, _, _ in rows]))
    slugs: dict[UUID, dict[str, str]] = defaultdict(dict)
    for text in await query:
        slugs[text["entry"]][text["lang"]] = text["slug"]
    return [
        SitemapEntry(id=entry_id, kind=kind, lastmod=lastmod, slugs=slugs[entry_id])
        for entry_id, kind, lastmod in rows
        if slugs[entry_id]
    ]


async def public_address_count() -> int:
    """How many pages the public entries have (one per entry and language)."""
    return int(await EntryTranslation.count().where(EntryTranslation.entry.is_in(public_entry_ids())))


async def public_entries() -> list[SitemapEntry]:
    """Every public entry, oldest first, with its slugs in every language it has."""
    return await _with_slugs(await _public_rows(), every=True)


async def sitemap_plan(max_urls: int = MAX_URLS) -> list[Child] | None:
    """The index's children when the pages are more than one sitemap holds; None when one holds them."""
    per_child = entries_per_child(max_urls)
    if await public_address_count() <= max_urls:
        return None
    rows = await _public_rows()
    return [
        Child(
            number=start // per_child + 1,
            lastmod=max(lastmod for _, _, lastmod in rows[start : start + per_child]),
        )
        for start in range(0, len(rows), per_child)
    ]


async def child_entries(number: int, max_urls: int = MAX_URLS) -> list[SitemapEntry] | None:
    """The entries of child sitemap `number` (from 1), or None when the index has no such child."""
    per_child = entries_per_child(max_urls)
    if number < 1 or await public_address_count() <= max_urls:
        return None
    rows = (await _public_rows())[(number - 1) * per_child : number * per_child]
    return await _with_slugs(rows, every=False) if rows else None


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


def build_index(children: list[Child], child_url: str) -> bytes:
    """The sitemap index's bytes: one `<sitemap>` per child; `child_url` has a `{number}` placeholder."""
    index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for child in children:
        item = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(item, f"{{{SITEMAP_NS}}}loc").text = child_url.format(number=child.number)
        etree.SubElement(item, f"{{{SITEMAP_NS}}}lastmod").text = child.lastmod.isoformat(timespec="seconds")
    return bytes(etree.tostring(index, xml_declaration=True, encoding="UTF-8", pretty_print=True))
