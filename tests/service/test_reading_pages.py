"""The reading pages /{lang}/{kind}/{slug}: what a reader sees, what is hidden, where old slugs go."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest
from lxml import etree, html

from service.app import create_app
from service.settings import Settings
from tests.conftest import Database, Staff, running, settings_with
from tests.helpers import ENGLISH_TITLE, GEORGIAN_TITLE, bilingual, create, create_published, publish
from tests.media_files import pdf, png

TBILISI = ZoneInfo("Asia/Tbilisi")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def path_of(url: str) -> str:
    return urlsplit(url).path


def meta(document: html.HtmlElement, prop: str) -> str:
    [value] = document.xpath(f'//meta[@property="{prop}"]/@content')
    return str(value)


async def test_a_published_entry_is_a_page_in_its_language_with_its_other_language_linked(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    entry = await create_published(client, staff.headers("editor"))
    ka_slug = entry["slug"]
    en_slug = next(t["slug"] for t in entry["translations"] if t["lang"] == "en")

    page = await client.get(f"/ka/news/{ka_slug}")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    document = html.fromstring(page.text)
    assert document.get("lang") == "ka"
    assert document.xpath("//h1")[0].text_content() == GEORGIAN_TITLE
    assert "<strong>დაამტკიცა</strong>" in page.text  # the sanitised body
    published = datetime.fromisoformat(entry["published_at"]).astimezone(TBILISI)
    [shown] = document.xpath("//p[@class='meta']/time")
    assert datetime.fromisoformat(shown.get("datetime")) == datetime.fromisoformat(entry["published_at"])
    assert str(published.year) in shown.text and str(published.day) in shown.text
    [other] = document.xpath("//a[@hreflang='en' and @lang='en']")
    assert other.get("href") == f"/en/news/{en_slug}" and other.text == "Read in English"
    canonical = "https://newsroom.test/ka/news/" + ka_slug
    assert document.xpath("//link[@rel='canonical']/@href") == [canonical]
    assert set(document.xpath("//link[@rel='alternate']/@hreflang")) == {"ka", "en"}
    assert meta(document, "og:title") == GEORGIAN_TITLE and meta(document, "og:url") == canonical
    assert meta(document, "og:locale") == "ka_GE" and meta(document, "og:locale:alternate") == "en_GB"
    assert meta(document, "og:type") == "article"
    assert document.xpath("//a[@href='/subscriptions/ka/']")  # the sign-up link
    assert "'none'" in page.headers["content-security-policy"] and "script-src" not in page.text

    english = await client.get(f"/en/news/{en_slug}")
    assert english.status_code == 200
    document = html.fromstring(english.text)
    assert document.get("lang") == "en" and document.xpath("//h1")[0].text_content() == ENGLISH_TITLE
    assert document.xpath("//a[@hreflang='ka']/@href") == [f"/ka/news/{ka_slug}"]
    assert "Published" in english.text


async def test_an_event_shows_its_time_on_the_tbilisi_clock_and_its_place(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    body = bilingual(
        "კონფერენცია", "Conference", starts_at="2026-12-18T06:00:00Z", ends_at="2026-12-18T08:30:00Z"
    )
    body["translations"]["ka"]["location"] = "თბილისი, სასტუმრო „რედისონი“"
    body["translations"]["en"]["location"] = "Tbilisi, Radisson hotel"
    entry = await create_published(client, staff.headers("editor"), "events", body)
    en_slug = next(t["slug"] for t in entry["translations"] if t["lang"] == "en")
    page = await client.get(f"/en/events/{en_slug}")
    assert page.status_code == 200, page.text
    facts = html.fromstring(page.text).xpath("//dl[@class='facts']")[0].text_content()
    assert "18 December 2026, 10:00" in facts and "12:30" in facts and "Asia/Tbilisi" in facts
    assert "Tbilisi, Radisson hotel" in facts
    georgian = await client.get(f"/ka/events/{entry['slug']}")
    assert "18 დეკემბერი 2026, 10:00" in georgian.text and "რედისონი" in georgian.text


async def test_a_cover_has_its_alt_text_and_attachments_are_listed(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    cover = (
        await client.post("/api/v1/media", files={"file": ("c.png", png(), "image/png")}, headers=editor)
    ).json()
    report = (
        await client.post(
            "/api/v1/media", files={"file": ("r.pdf", pdf(), "application/pdf")}, headers=editor
        )
    ).json()
    edited = await client.patch(
        f"/api/v1/media/{cover['id']}",
        json={"alt": {"ka": "კომისიის წევრები მაგიდასთან", "en": "Commission members at the table"}},
        headers=editor,
    )
    assert edited.status_code == 200, edited.text
    entry = await create_published(
        client,
        editor,
        "materials",
        bilingual("ანგარიში", "Report", cover_id=cover["id"], attachment_ids=[report["id"]]),
    )
    page = await client.get(f"/ka/materials/{entry['slug']}")
    assert page.status_code == 200, page.text
    document = html.fromstring(page.text)
    [image] = document.xpath("//figure/img")
    assert image.get("alt") == "კომისიის წევრები მაგიდასთან" and image.get("src") == cover["url"]
    assert meta(document, "og:image") == f"https://newsroom.test{cover['url']}"
    assert (await client.get(image.get("src"))).status_code == 200
    [attachment] = document.xpath("//article//ul/li/a")
    assert attachment.get("href") == report["url"] and "PDF" in attachment.getparent().text_content()


@pytest.mark.parametrize("lang", ["ka", "en"])
async def test_what_the_api_hides_is_a_not_found_page_in_the_readers_language(
    client: httpx.AsyncClient, staff: Staff, lang: str
) -> None:
    editor = staff.headers("editor")
    draft = await create(client, editor, body=bilingual("მონახაზი", "Draft"))
    scheduled = await create(client, editor, body=bilingual("დაგეგმილი", "Scheduled"))
    await publish(client, editor, scheduled["id"], at=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    embargoed = await create(client, editor, body=bilingual("ემბარგო", "Embargoed"))
    await publish(
        client, editor, embargoed["id"], embargo_until=(datetime.now(UTC) + timedelta(days=1)).isoformat()
    )
    archived = await create_published(client, editor, body=bilingual("ძველი ამბავი", "Old story"))
    assert (await client.delete(f"/api/v1/news/{archived['id']}", headers=editor)).status_code in {200, 204}
    for hidden in (draft, scheduled, embargoed, archived):
        slug = next(t["slug"] for t in hidden["translations"] if t["lang"] == lang)
        assert (await client.get(f"/api/v1/news/{slug}")).status_code == 404
        page = await client.get(f"/{lang}/news/{slug}")
        assert page.status_code == 404, page.text
        assert page.headers["content-type"].startswith("text/html")
        document = html.fromstring(page.text)
        assert document.get("lang") == lang
        assert document.xpath("//h1")[0].text == {"ka": "გვერდი ვერ მოიძებნა", "en": "Page not found"}[lang]
        assert hidden["translations"][0]["title"] not in page.text
    for path in ("/xx/news/anything", f"/{lang}/recipes/anything", f"/{lang}/news/no-such-entry"):
        page = await client.get(path, headers={"Accept-Language": lang})
        assert page.status_code == 404 and html.fromstring(page.text).get("lang") == lang, path
    as_json = await client.get(f"/{lang}/news/no-such-entry", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and as_json.headers["content-type"] == "application/problem+json"


async def test_old_slugs_other_language_slugs_and_ids_redirect_to_the_current_address(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    entry = await create_published(client, editor, body=bilingual("ძველი სათაური", "Old title"))
    old_ka, old_en = entry["slug"], next(t["slug"] for t in entry["translations"] if t["lang"] == "en")
    edited = await client.patch(
        f"/api/v1/news/{entry['id']}",
        json={"translations": {"ka": {"title": "ახალი სათაური"}, "en": {"title": "New title"}}},
        headers=editor,
    )
    assert edited.status_code == 200, edited.text
    new_ka = edited.json()["slug"]
    new_en = next(t["slug"] for t in edited.json()["translations"] if t["lang"] == "en")
    assert new_ka != old_ka
    for path, target in (
        (f"/ka/news/{old_ka}", f"/ka/news/{new_ka}"),
        (f"/en/news/{old_en}", f"/en/news/{new_en}"),
        (f"/ka/news/{new_en}", f"/ka/news/{new_ka}"),
        (f"/en/news/{entry['id']}", f"/en/news/{new_en}"),
        (f"/en/news/{new_en.upper()}", f"/en/news/{new_en}"),
    ):
        moved = await client.get(path)
        assert moved.status_code == 301, (path, moved.text)
        assert moved.headers["location"] == target, path
        assert (await client.get(target)).status_code == 200
    georgian_only = await create_published(client, editor, body=bilingual("მხოლოდ ქართულად", None))
    moved = await client.get(f"/en/news/{georgian_only['slug']}")
    assert moved.status_code == 301 and moved.headers["location"] == f"/ka/news/{georgian_only['slug']}"


async def test_every_item_link_of_the_georgian_news_feed_answers_with_a_page(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    for number in range(3):
        await create_published(
            client, editor, body=bilingual(f"სიახლე ნომერი {number}", f"News number {number}")
        )
    await create_published(client, editor, body=bilingual("მხოლოდ ქართული", None))
    feed = await client.get("/feeds/ka/news.rss")
    assert feed.status_code == 200
    parsed = feedparser.parse(feed.content)
    links = [item.link for item in parsed.entries] + [
        link["href"] for item in parsed.entries for link in item.get("links", []) if link.get("href")
    ]
    assert len(parsed.entries) == 4 and links
    for link in set(links):
        assert link.startswith("https://newsroom.test/"), link
        page = await client.get(path_of(link))
        assert page.status_code == 200, (link, page.status_code)
        assert page.headers["content-type"].startswith("text/html")


async def test_the_sitemap_lists_every_public_page_with_alternates_and_lastmod(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    both = await create_published(client, editor)
    georgian_only = await create_published(
        client, editor, "events", bilingual("მხოლოდ ქართული", None, starts_at="2026-12-20T08:00:00Z")
    )
    await create(client, editor, body=bilingual("მონახაზი", "Draft"))
    answer = await client.get("/sitemap.xml")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(answer.content)
    assert root.tag == f"{SITEMAP}urlset" and root.nsmap == {
        None: "http://www.sitemaps.org/schemas/sitemap/0.9",
        "xhtml": "http://www.w3.org/1999/xhtml",
    }
    urls = {url.findtext(f"{SITEMAP}loc"): url for url in root.findall(f"{SITEMAP}url")}
    en_slug = next(t["slug"] for t in both["translations"] if t["lang"] == "en")
    ka_page = f"https://newsroom.test/ka/news/{both['slug']}"
    en_page = f"https://newsroom.test/en/news/{en_slug}"
    assert set(urls) == {ka_page, en_page, f"https://newsroom.test/ka/events/{georgian_only['slug']}"}
    for page in (ka_page, en_page):
        alternates = {
            link.get("hreflang"): link.get("href")
            for link in urls[page].findall(f"{XHTML}link[@rel='alternate']")
        }
        assert alternates == {"ka": ka_page, "en": en_page}
        lastmod = datetime.fromisoformat(urls[page].findtext(f"{SITEMAP}lastmod"))
        assert abs(lastmod - datetime.fromisoformat(both["updated_at"])) < timedelta(seconds=1)
    assert urls[f"https://newsroom.test/ka/events/{georgian_only['slug']}"].findall(f"{XHTML}link") == []
    for page in urls:
        assert (await client.get(path_of(page))).status_code == 200
    again = await client.get("/sitemap.xml", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304


async def test_with_a_website_links_and_pages_go_there(
    settings: Settings, db: Database, staff: Staff
) -> None:
    app = create_app(settings_with(settings, website_url="https://migration.commission.test"))
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
        ) as client,
    ):
        entry = await create_published(client, staff.headers("editor"))
        feed = await client.get("/feeds/ka/news.rss")
        [item] = feedparser.parse(feed.content).entries
        assert item.link == f"https://migration.commission.test/ka/news/{entry['slug']}"
        page = await client.get(f"/ka/news/{entry['slug']}")
        assert page.status_code == 301 and page.headers["location"] == item.link
        sitemap = (await client.get("/sitemap.xml")).text
        assert item.link in sitemap and "newsroom.test" not in sitemap
    db.bind()


async def test_reading_pages_do_not_shadow_other_routes(client: httpx.AsyncClient) -> None:
    for path, kind in (
        ("/api/v1/news", "application/json"),
        ("/feeds/ka/news.rss", "application/rss+xml"),
        ("/newsletters/ka/", "text/html"),
        ("/schema/openapi.json", "application/"),
        ("/metrics", "text/plain"),
    ):
        answer = await client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(kind), (path, answer.headers["content-type"])
    assert "/{lang}/{kind}/{slug}" in (await client.get("/schema/openapi.json")).json()["paths"]
