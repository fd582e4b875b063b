"""`/sitemap.xml` past its limit: a sitemap index of child sitemaps, valid against the sitemaps.org
rules (XSD, with lxml), each public address exactly once, with lastmod and hreflang pairs.

The limit (50,000 addresses) is the app's `sitemap_max_urls`: set small here, the shapes are the same."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from lxml import etree

from content.entries import create_entry
from content.publishing import publish_entry
from content.schemas import Actor, EntryIn, PublishIn, TranslationIn
from content.sitemap import entries_per_child
from service.app import create_app
from service.settings import Settings
from tests.conftest import Database, running, settings_with

SCHEMAS = Path(__file__).parent / "sitemap_schemas"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
EDITOR = Actor(id=uuid4(), name="Editor", can_edit_any=True, can_publish=True)


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def valid(document: bytes, name: str) -> etree._Element:
    root = etree.fromstring(document)
    checker = schema(name)
    assert checker.validate(root), checker.error_log
    return root


async def _entries() -> set[str]:
    """Seven public entries (five in both languages, two in Georgian only), an embargoed one and a
    draft; returns the public pages' addresses."""
    addresses = set()
    for number in range(7):
        texts = {"ka": TranslationIn(title=f"სიახლე ნომერი {number}")}
        if number < 5:
            texts["en"] = TranslationIn(title=f"News number {number}")
        entry = await create_entry("news", EntryIn(translations=texts), EDITOR)
        published = await publish_entry("news", entry.id, PublishIn(), EDITOR)
        for ref in published.translations:
            addresses.add(f"https://newsroom.test/{ref.lang}/news/{ref.slug}")
    embargoed = await create_entry(
        "news", EntryIn(translations={"en": TranslationIn(title="Embargoed")}), EDITOR
    )
    await publish_entry(
        "news", embargoed.id, PublishIn(embargo_until=datetime.now(UTC) + timedelta(days=3)), EDITOR
    )
    await create_entry("news", EntryIn(translations={"en": TranslationIn(title="A draft")}), EDITOR)
    return addresses


def urls_of(root: etree._Element) -> list[etree._Element]:
    return list(root.iterfind("s:url", NS))


async def test_past_the_limit_the_sitemap_is_an_index_of_children(settings: Settings, db: Database) -> None:
    expected = await _entries()
    assert len(expected) == 12
    app = create_app(settings_with(settings, sitemap_max_urls=4))
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        answer = await client.get("/sitemap.xml")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xml")
        index = valid(answer.content, "siteindex.xsd")
        assert index.tag == f"{{{NS['s']}}}sitemapindex"
        children = [
            (item.findtext("s:loc", namespaces=NS), item.findtext("s:lastmod", namespaces=NS))
            for item in index
        ]
        # Four addresses a file, all languages of an entry together: two entries a child, seven entries.
        assert [loc for loc, _ in children] == [
            f"https://newsroom.test/sitemaps/{n}.xml" for n in range(1, 5)
        ]
        seen: list[str] = []
        for loc, lastmod in children:
            assert loc is not None and lastmod is not None
            child = await client.get(loc.removeprefix("https://newsroom.test"))
            assert child.status_code == 200
            urlset = valid(child.content, "sitemap.xsd")
            urls = urls_of(urlset)
            assert 1 <= len(urls) <= 4
            seen += [url.findtext("s:loc", namespaces=NS) or "" for url in urls]
            # The child's lastmod in the index is its newest entry's.
            assert max(
                datetime.fromisoformat(url.findtext("s:lastmod", namespaces=NS) or "") for url in urls
            ) == (datetime.fromisoformat(lastmod))
            for url in urls:
                alternates = {link.get("hreflang"): link.get("href") for link in url.iterfind("x:link", NS)}
                if alternates:  # a pair, both in this same child, each naming the other and itself
                    assert (
                        set(alternates) == {"ka", "en"}
                        and url.findtext("s:loc", namespaces=NS) in alternates.values()
                    )
                    assert set(alternates.values()) <= set(seen) | {
                        u.findtext("s:loc", namespaces=NS) for u in urls
                    }
            again = await client.get(
                loc.removeprefix("https://newsroom.test"), headers={"If-None-Match": child.headers["etag"]}
            )
            assert again.status_code == 304
        assert Counter(seen) == Counter(expected), "every public address exactly once"
        for missing in (
            "/sitemaps/5.xml",
            "/sitemaps/0.xml",
            "/sitemaps/abc",
            "/sitemaps/1.xml.bak",
            "/sitemaps/01.xml",
        ):
            refused = await client.get(missing)
            assert refused.status_code == 404 and refused.headers["content-type"].startswith(
                "application/problem+json"
            )
    db.bind()


@pytest.mark.parametrize(("limit", "shape"), [(12, "urlset"), (11, "sitemapindex")])
async def test_the_limit_is_inclusive(settings: Settings, db: Database, limit: int, shape: str) -> None:
    expected = await _entries()
    app = create_app(settings_with(settings, sitemap_max_urls=limit))
    async with (
        running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        root = etree.fromstring((await client.get("/sitemap.xml")).content)
        assert root.tag == f"{{{NS['s']}}}{shape}"
        if shape == "urlset":
            valid(etree.tostring(root), "sitemap.xsd")
            assert Counter(url.findtext("s:loc", namespaces=NS) for url in urls_of(root)) == Counter(expected)
            assert (await client.get("/sitemaps/1.xml")).status_code == 404  # no index, no children
        else:
            assert len(root) == 2  # five entries a child (11 // 2), seven entries
    db.bind()


def test_a_limit_must_hold_one_entry_and_no_more_than_the_protocol() -> None:
    assert entries_per_child(50_000) == 25_000
    for wrong in (1, 50_001):
        with pytest.raises(ValueError):
            entries_per_child(wrong)


@pytest.mark.parametrize(
    "url",
    [
        "<loc>/ka/news/relative</loc>",
        "<loc>https://newsroom.test/ka/news/a</loc><lastmod>yesterday</lastmod>",
        '<loc>https://newsroom.test/ka/news/a</loc><x:link rel="alternate" hreflang="ka"/>',
        '<loc>https://newsroom.test/ka/news/a</loc><x:lnk rel="alternate" hreflang="ka" href="https://a.test/"/>',
        "<lastmod>2026-12-02</lastmod><loc>https://newsroom.test/ka/news/a</loc>",
    ],
)
def test_the_schemas_refuse_what_the_protocol_refuses(url: str) -> None:
    """The check above can fail: documents a search engine would refuse are invalid here too."""
    document = f'<urlset xmlns="{NS["s"]}" xmlns:x="{NS["x"]}"><url>{url}</url></urlset>'
    assert not schema("sitemap.xsd").validate(etree.fromstring(document))
