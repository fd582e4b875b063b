"""Feeds over HTTP on SQLite and PostgreSQL: real clients, visibility, caching, 304s, Redis sharing."""

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from arq.connections import RedisSettings, create_pool
from litestar import Litestar
from redis.asyncio import Redis

from content.tables import Entry, EntryTranslation
from service.app import create_app
from service.feeds.publisher import FeedPublisher
from service.settings import Settings
from tasks.publishing import publish_due
from tests import media_files
from tests.conftest import REDIS_URL, Database, Staff, running, settings_with
from tests.feed_clients import parse_any, parse_calendar, parse_json_feed, parse_xml_feed
from tests.helpers import ENGLISH_TITLE, GEORGIAN_TITLE, bilingual, create, create_published, publish

TEMPLATE = "https://migration.test/{lang}/{kind}/{slug}"


class Clock:
    """A monotonic clock the test moves by hand (the watch's recheck interval, without sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def feed_settings(settings: Settings) -> Settings:
    return settings_with(
        settings,
        website_url_template=TEMPLATE,
        feed_logo_url="https://migration.test/logo.png",
        feed_recheck_seconds=0.0,
    )


@pytest.fixture
async def app(feed_settings: Settings, db: Database) -> AsyncIterator[Litestar]:
    application = create_app(feed_settings)
    async with running(application):
        yield application
    db.bind()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The conftest client, but over this module's app so tests can reach its feed publisher."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    ) as c:
        yield c


def publisher(app: Litestar) -> FeedPublisher:
    feeds: FeedPublisher = app.state.feeds
    return feeds


def event_body(**extra: object) -> dict[str, object]:
    body = bilingual(
        "საერთაშორისო მიგრანტთა დღე",
        "International Migrants Day",
        starts_at="2026-12-18T10:00:00+04:00",
        ends_at="2026-12-18T13:00:00+04:00",
        timezone="Asia/Tbilisi",
        **extra,
    )
    body["translations"]["ka"]["location"] = "იუსტიციის სახლი, თბილისი"
    body["translations"]["en"]["location"] = "Public Service Hall, Tbilisi"
    return body


async def get(client: httpx.AsyncClient, path: str, **headers: str) -> httpx.Response:
    response = await client.get(path, headers={"accept-encoding": "identity", **headers})
    return response


async def test_journalists_subscribe_in_real_clients(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    uploaded = await client.post(
        "/api/v1/media", files={"file": ("cover.png", media_files.png(), "image/png")}, headers=editor
    )
    assert uploaded.status_code == 201, uploaded.text
    asset = uploaded.json()
    cover, cover_url = asset["id"], f"https://newsroom.test/api/v1/media/{asset['id']}/file"
    topic = {"slug": "emigration", "name": {"ka": "ემიგრაცია", "en": "Emigration"}}
    assert (await client.post("/api/v1/topics", json=topic, headers=editor)).status_code == 201
    news = await create_published(
        client, editor, "news", bilingual(cover_id=str(cover), topics=["emigration"])
    )
    await create_published(client, editor, "events", event_body(cover_id=str(cover)))

    rss = parse_xml_feed((await get(client, "/feeds/ka/news.rss")).content)
    assert rss.feed.language == "ka"
    [item] = rss.entries
    slugs = {ref["lang"]: ref["slug"] for ref in news["translations"]}
    assert item.title == GEORGIAN_TITLE
    assert item.link == f"https://migration.test/ka/news/{slugs['ka']}"
    assert [dict(enclosure) for enclosure in item.enclosures] == [
        {"href": cover_url, "length": str(asset["size"]), "type": "image/png"}
    ]
    english = [link for link in item.links if link.get("hreflang") == "en"]
    assert [link.href for link in english] == [f"https://migration.test/en/news/{slugs['en']}"]
    assert [tag.term for tag in item.tags] == ["ემიგრაცია"]
    assert item.author == "Editor"
    assert "<strong>დაამტკიცა</strong>" in item.content[0].value

    atom = parse_xml_feed((await get(client, "/feeds/ka/news.atom")).content)
    links = {(link.rel, link.get("hreflang")): link for link in atom.entries[0].links}
    assert links[("enclosure", None)].length == str(asset["size"])
    # The enclosure is served to anyone, since a published entry uses it.
    served = await client.get(httpx.URL(cover_url).path)
    assert served.status_code == 200
    assert len(served.content) == asset["size"]
    assert links[("alternate", "en")].href == f"https://migration.test/en/news/{slugs['en']}"

    calendar = parse_calendar((await get(client, "/feeds/en/events.ics")).content)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "International Migrants Day"
    assert event["dtstart"].params["TZID"] == "Asia/Tbilisi"
    assert event["dtstart"].dt.hour == 10
    assert str(event["location"]) == "Public Service Hall, Tbilisi"
    assert str(event["url"]).startswith("https://migration.test/en/events/international-migrants-day")
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Tbilisi"]
    uid = str(event["uid"])
    # The UID never changes, whatever is edited.
    await client.patch(
        f"/api/v1/events/{(await client.get('/api/v1/events?lang=en')).json()['items'][0]['id']}",
        json={"translations": {"en": {"title": "Migrants Day, renamed"}}},
        headers=editor,
    )
    again = parse_calendar((await get(client, "/feeds/en/events.ics")).content).walk("VEVENT")[0]
    assert (str(again["uid"]), str(again["summary"])) == (uid, "Migrants Day, renamed")
    assert str(again["status"]) == "CONFIRMED"
    event_id = (await client.get("/api/v1/events?lang=en")).json()["items"][0]["id"]
    await client.patch(f"/api/v1/events/{event_id}", json={"cancelled": True}, headers=editor)
    cancelled = parse_calendar((await get(client, "/feeds/en/events.ics")).content).walk("VEVENT")[0]
    assert (str(cancelled["uid"]), str(cancelled["status"])) == (uid, "CANCELLED")
    assert int(cancelled["sequence"]) > int(again["sequence"])


async def test_every_listed_feed_parses_in_its_real_client(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    topic = {"slug": "voluntary-return", "name": {"ka": "ნებაყოფლობითი დაბრუნება", "en": "Voluntary return"}}
    await client.post("/api/v1/topics", json=topic, headers=editor)
    for kind in ("news", "announcements", "materials"):
        await create_published(client, editor, kind, bilingual(topics=["voluntary-return"]))
    await create_published(client, editor, "events", event_body(topics=["voluntary-return"]))

    listing = (await client.get("/api/v1/feeds")).json()
    assert listing["next_cursor"] is None
    paths = [httpx.URL(feed["url"]).path for feed in listing["items"]]
    assert "/feeds/ka/newsletters.rss" in paths
    assert "/feeds/en/events.ics" in paths
    assert "/feeds/en/topics/voluntary-return.atom" in paths
    assert len(paths) == len(set(paths)) == 2 * (5 * 3 + 1 + 1 + 3)
    for feed, path in zip(listing["items"], paths, strict=True):
        assert set(feed["title"]) == {"ka", "en"}
        response = await get(client, path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(feed["media_type"].partition(";")[0])
        parsed = parse_any(feed["format"], response.content)
        if feed["format"] in {"rss", "atom"} and feed["kind"] != "newsletters":
            expected = 4 if feed["kind"] == "all" or feed["topic"] else 1
            assert len(parsed.entries) == expected, path
    topic_feed = parse_json_feed((await get(client, "/feeds/en/topics/voluntary-return.json")).content)
    assert topic_feed["title"].startswith("Topic: Voluntary return")
    assert len(topic_feed["items"]) == 4


async def test_only_public_entries_appear(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    now = datetime.now(UTC)
    await create(client, editor, body=bilingual("დრაფტი", "Draft"))
    scheduled = await create(client, editor, body=bilingual("დაგეგმილი", "Scheduled"))
    await publish(client, editor, scheduled["id"], at=(now + timedelta(days=1)).isoformat())
    embargoed = await create(client, editor, body=bilingual("ემბარგო", "Embargoed"))
    await publish(client, editor, embargoed["id"], embargo_until=(now + timedelta(days=1)).isoformat())
    archived = await create_published(client, editor, body=bilingual("არქივი", "Archived"))
    await client.delete(f"/api/v1/news/{archived['id']}", headers=editor)
    unpublished = await create_published(client, editor, body=bilingual("მოხსნილი", "Unpublished"))
    await client.post(f"/api/v1/news/{unpublished['id']}/unpublish", headers=editor)
    await create_published(client, editor, body=bilingual("საჯარო", "Public"))
    english_only = await create_published(client, editor, body=bilingual("x", None))
    assert english_only["lang"] == "ka"

    for path in ("/feeds/en/news.rss", "/feeds/en/all.atom"):
        titles = [entry.title for entry in parse_xml_feed((await get(client, path)).content).entries]
        assert titles == ["Public"], path
    assert [
        item["title"] for item in parse_json_feed((await get(client, "/feeds/ka/news.json")).content)["items"]
    ] == [
        "x",
        "საჯარო",
    ]
    # The embargo lifts by time alone, with no write: the feed follows.
    await Entry.update({Entry.embargo_until: now - timedelta(seconds=1)}).where(Entry.id == embargoed["id"])
    titles = [
        entry.title for entry in parse_xml_feed((await get(client, "/feeds/en/news.rss")).content).entries
    ]
    assert titles == ["Public", "Embargoed"]  # by publication time, not by when the embargo lifted


async def test_cron_publishing_by_the_worker_reaches_the_feed(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    entry = await create(client, editor)
    await publish(client, editor, entry["id"], at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    assert parse_xml_feed((await get(client, "/feeds/en/news.rss")).content).entries == []
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Entry.update({Entry.publish_at: past}).where(Entry.id == entry["id"])
    # The job as the worker runs it: with a queue, where it leaves the webhook sweep it owes.
    queue_name = f"scmi-test:{secrets.token_hex(4)}"
    queue = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=queue_name)
    try:
        assert await publish_due({"redis": queue}) == 1
        assert await queue.zcard(queue_name) == 1
    finally:
        await queue.delete(queue_name)
        await queue.aclose()
    assert [e.title for e in parse_xml_feed((await get(client, "/feeds/en/news.rss")).content).entries] == [
        ENGLISH_TITLE
    ]


async def test_hostile_text_keeps_every_format_valid(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    hostile = "]]> <![CDATA[ \u200f\u202eرسالة\u202c \x01\x08\x1b «ციტატა» </title>"
    body = {
        "translations": {
            "ka": {"title": hostile, "summary": hostile, "body": hostile + " **ტექსტი**\n\n" + "ა" * 100_000},
            "en": {"title": hostile, "summary": hostile, "body": hostile, "location": hostile},
        },
        "starts_at": "2026-12-18T10:00:00+04:00",
    }
    entry = await create_published(client, editor, "events", body)
    # What the API refuses can still come from old data or a direct import: a 100 KB title.
    await EntryTranslation.update({EntryTranslation.title: "სათაური\x01\x0b " * 10_000}).where(
        (EntryTranslation.entry == entry["id"]) & (EntryTranslation.lang == "ka")
    )
    await Entry.update({Entry.updated_at: datetime.now(UTC)}).where(Entry.id == entry["id"])
    for lang in ("ka", "en"):
        for name, format_ in (
            ("events.rss", "rss"),
            ("events.atom", "atom"),
            ("all.json", "json"),
            ("events.ics", "ics"),
        ):
            response = await get(client, f"/feeds/{lang}/{name}")
            assert response.status_code == 200
            parsed = parse_any(format_, response.content)
            count = (
                len(parsed.walk("VEVENT"))
                if format_ == "ics"
                else len(parsed["items"] if format_ == "json" else parsed.entries)
            )
            assert count == 1, (lang, name)


async def test_feeds_show_writes_here_at_once_and_elsewhere_within_the_recheck_interval(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    clock = Clock()
    cache = publisher(app).cache
    cache.watch.clock, cache.watch.recheck_seconds = clock, 2.0
    first = await get(client, "/feeds/en/news.rss")
    renders = cache.renders
    assert (await get(client, "/feeds/en/news.rss")).headers["etag"] == first.headers["etag"]
    assert cache.renders == renders  # served from the cache
    entry = await create_published(client, editor)  # this process's write: it shows at once
    published = await get(client, "/feeds/en/news.rss")
    assert published.headers["etag"] != first.headers["etag"]
    assert [e.title for e in parse_xml_feed(published.content).entries] == [ENGLISH_TITLE]

    # Another process's write: straight to the database, not through this process's transactions.
    await EntryTranslation.update({EntryTranslation.title: "Edited"}).where(
        (EntryTranslation.entry == entry["id"]) & (EntryTranslation.lang == "en")
    )
    await Entry.update({Entry.updated_at: datetime.now(UTC)}).where(Entry.id == entry["id"])
    clock.now += 1.0  # within the interval, readers may still get the cached feed
    assert (await get(client, "/feeds/en/news.rss")).content == published.content
    clock.now += 1.5  # past it: the edit shows
    assert [e.title for e in parse_xml_feed((await get(client, "/feeds/en/news.rss")).content).entries] == [
        "Edited"
    ]
    await client.post(f"/api/v1/news/{entry['id']}/unpublish", headers=editor)
    unpublished = await get(client, "/feeds/en/news.rss")
    assert parse_xml_feed(unpublished.content).entries == []
    assert unpublished.content == first.content  # the same content gives the same bytes again


async def test_a_draft_edit_changes_no_feed_bytes(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    await create_published(client, editor)
    before = await get(client, "/feeds/ka/news.atom")
    await create(client, editor, body=bilingual("ახალი დრაფტი", "A new draft"))
    after = await get(client, "/feeds/ka/news.atom")
    assert after.content == before.content
    assert after.headers["etag"] == before.headers["etag"]


async def test_conditional_get_head_and_gzip(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    await create_published(client, editor)
    full = await get(client, "/feeds/ka/news.rss")
    etag, modified = full.headers["etag"], full.headers["last-modified"]
    assert full.headers["cache-control"] == "public, max-age=300"
    assert etag.startswith('"')  # strong: no W/ prefix
    assert full.headers["vary"] == "Accept-Encoding"

    for headers in (
        {"if-none-match": etag},
        {"if-none-match": f'"other", W/{etag}'},
        {"if-modified-since": modified},
    ):
        response = await get(client, "/feeds/ka/news.rss", **headers)
        assert response.status_code == 304, headers
        assert response.content == b""
        assert response.headers["etag"] == etag
    repeated = await client.get(
        "/feeds/ka/news.rss",
        headers=[("accept-encoding", "identity"), ("if-none-match", '"x"'), ("if-none-match", etag)],
    )
    assert repeated.status_code == 304
    later = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)
    assert (await get(client, "/feeds/ka/news.rss", **{"if-modified-since": later})).status_code == 304
    earlier = format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
    assert (await get(client, "/feeds/ka/news.rss", **{"if-modified-since": earlier})).status_code == 200
    # If-None-Match wins over If-Modified-Since.
    both = {"if-none-match": '"stale"', "if-modified-since": later}
    assert (await get(client, "/feeds/ka/news.rss", **both)).status_code == 200
    assert (await get(client, "/feeds/ka/news.rss", **{"if-modified-since": "yesterday"})).status_code == 200

    head = await client.head("/feeds/ka/news.rss", headers={"accept-encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(full.content))
    assert head.headers["etag"] == etag

    zipped = await client.get("/feeds/ka/news.rss", headers={"accept-encoding": "gzip, deflate"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == full.content  # httpx decodes it
    assert zipped.headers["etag"] != etag
    assert (
        "content-encoding"
        not in (await get(client, "/feeds/ka/news.rss", **{"accept-encoding": "gzip;q=0"})).headers
    )
    assert (
        await get(
            client,
            "/feeds/ka/news.rss",
            **{"accept-encoding": "gzip", "if-none-match": zipped.headers["etag"]},
        )
    ).status_code == 304


async def test_last_modified_moves_forward_when_an_entry_leaves(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    older = await create_published(client, editor, body=bilingual("ძველი", "Older"))
    newer = await create_published(client, editor, body=bilingual("ახალი", "Newer"))
    seen = (await get(client, "/feeds/en/news.rss")).headers["last-modified"]
    await client.post(f"/api/v1/news/{newer['id']}/unpublish", headers=editor)
    await Entry.update({Entry.updated_at: datetime.now(UTC) + timedelta(seconds=2)}).where(
        Entry.id == newer["id"]
    )
    after = await get(client, "/feeds/en/news.rss", **{"if-modified-since": seen})
    assert after.status_code == 200
    assert [e.title for e in parse_xml_feed(after.content).entries] == [older["translations"][1]["title"]]


async def test_unknown_feeds_are_404_problems(client: httpx.AsyncClient) -> None:
    for path in (
        "/feeds/fr/news.rss",
        "/feeds/ka/blog.rss",
        "/feeds/ka/news.xml",
        "/feeds/ka/events",
        "/feeds/ka/newsletters.atom",
        "/feeds/ka/news.ics",
        "/feeds/ka/topics/unknown.rss",
        "/feeds/ka/topics/.rss",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


async def test_processes_share_renders_through_redis(
    feed_settings: Settings, db: Database, staff: Staff, client: httpx.AsyncClient
) -> None:
    prefix = f"test:feeds:{secrets.token_hex(4)}:"
    shared = settings_with(feed_settings, redis_url=REDIS_URL, feed_cache_prefix=prefix)
    first, second = create_app(shared), create_app(shared)
    redis = Redis.from_url(REDIS_URL)
    try:
        async with running(first), running(second):
            clients = [
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
                for app in (first, second)
            ]
            a, b = clients
            await create_published(a, staff.headers("editor"))
            served = [await get(a, "/feeds/en/news.rss"), await get(b, "/feeds/en/news.rss")]
            assert served[0].content == served[1].content
            assert (publisher(first).cache.renders, publisher(second).cache.renders) == (1, 0)
            assert await redis.keys(f"{prefix}*")
            await create_published(b, staff.headers("editor"), body=bilingual("მეორე", "Second"))
            newest = await get(a, "/feeds/en/news.rss")
            assert [e.title for e in parse_xml_feed(newest.content).entries] == ["Second", ENGLISH_TITLE]
            assert (publisher(first).cache.renders, publisher(second).cache.renders) == (2, 0)
            from_second = await get(b, "/feeds/en/news.rss")  # the second process takes the new render too
            assert from_second.content == newest.content
            assert publisher(second).cache.renders == 0
            assert await redis.keys(f"{prefix}*") == [
                f"{prefix}/feeds/en/news.rss".encode()
            ]  # one key per feed
            for c in clients:
                await c.aclose()
    finally:
        keys = await redis.keys(f"{prefix}*")
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        db.bind()
