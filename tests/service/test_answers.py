"""Kept public answers (lists, entries by slug) and the one content watch: on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from litestar import Litestar

from content.tables import Entry, EntryTranslation
from service.answers import AnswerCache, public_answer
from service.app import create_app
from service.feeds.publisher import FeedPublisher
from service.settings import Settings
from tests.conftest import Database, Staff, running, settings_with
from tests.feed_clients import parse_xml_feed
from tests.helpers import ENGLISH_TITLE, create, create_published, publish

HOUR = 3600.0


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def app(settings: Settings, db: Database) -> AsyncIterator[Litestar]:
    # An hour between checks of the content version: whatever shows sooner shows by invalidation.
    application = create_app(settings_with(settings, feed_recheck_seconds=HOUR))
    async with running(application):
        yield application


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        yield test_client


def answers(app: Litestar) -> AnswerCache:
    cache: AnswerCache = app.state.answers
    return cache


async def titles(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/api/v1/news?lang=en")
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_a_public_answer_is_encoded_once_and_revalidates_with_its_etag(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    entry = await create_published(client, staff.headers("editor"))
    first = await client.get("/api/v1/news?lang=en")
    encodes = answers(app).encodes
    again = await client.get("/api/v1/news?lang=en")
    assert answers(app).encodes == encodes  # kept, not built again
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == "application/json"
    unchanged = await client.get("/api/v1/news?lang=en", headers={"If-None-Match": first.headers["etag"]})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    by_slug = await client.get(f"/api/v1/news/{entry['slug']}")
    assert by_slug.json()["title"] == entry["title"]
    assert "status" not in by_slug.json()  # the public shape
    assert by_slug.headers["vary"] == "Accept-Language"
    not_modified = await client.get(
        f"/api/v1/news/{entry['slug']}", headers={"If-None-Match": by_slug.headers["etag"]}
    )
    assert not_modified.status_code == 304


async def test_publish_edit_unpublish_show_at_once(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    assert await titles(client) == []
    entry = await create(client, editor)
    assert await titles(client) == []  # a draft is not public
    slug = next(ref["slug"] for ref in entry["translations"] if ref["lang"] == "en")
    assert (await client.get(f"/api/v1/news/{slug}")).status_code == 404
    await publish(client, editor, entry["id"])
    assert await titles(client) == [ENGLISH_TITLE]
    assert (await client.get(f"/api/v1/news/{slug}")).json()["title"] == ENGLISH_TITLE
    edited = await client.patch(
        f"/api/v1/news/{entry['id']}", json={"translations": {"en": {"title": "Edited"}}}, headers=editor
    )
    assert edited.status_code == 200, edited.text
    assert await titles(client) == ["Edited"]
    assert (await client.get(f"/api/v1/news/{slug}")).json()["title"] == "Edited"  # the old slug still leads
    await client.post(f"/api/v1/news/{entry['id']}/unpublish", headers=editor)
    assert await titles(client) == []
    assert (await client.get(f"/api/v1/news/{slug}")).status_code == 404
    # Staff are never served the public's kept answers.
    drafts = await client.get("/api/v1/news?lang=en&status=draft", headers=editor)
    assert [item["title"] for item in drafts.json()["items"]] == ["Edited"]
    assert (await client.get(f"/api/v1/news/{slug}", headers=editor)).json()["status"] == "draft"


async def test_an_embargo_shows_the_moment_it_lifts(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    lifts = datetime.now(UTC) + timedelta(hours=1)
    entry = await create(client, editor)
    await publish(client, editor, entry["id"], embargo_until=lifts.isoformat())
    assert await titles(client) == []
    # The hour passes: no one writes; the stored embargo is now behind us, as the clock will be.
    await Entry.update({Entry.embargo_until: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Entry.id == entry["id"]
    )
    assert await titles(client) == []  # before the moment it was due to lift, the kept answer stands
    answers(app).watch.now = lambda: lifts + timedelta(seconds=1)
    assert await titles(client) == [ENGLISH_TITLE]


async def test_another_process_write_shows_within_the_recheck_interval(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    watch = answers(app).watch
    clock = Clock()
    watch.clock, watch.recheck_seconds = clock, 2.0
    entry = await create_published(client, staff.headers("editor"))
    assert await titles(client) == [ENGLISH_TITLE]
    # Another process's write: straight to the database, not through this process's transactions.
    await EntryTranslation.update({EntryTranslation.title: "Elsewhere"}).where(
        (EntryTranslation.entry == entry["id"]) & (EntryTranslation.lang == "en")
    )
    await Entry.update({Entry.updated_at: datetime.now(UTC)}).where(Entry.id == entry["id"])
    clock.now += 1.0
    assert await titles(client) == [ENGLISH_TITLE]  # within the interval the kept answer may stand
    clock.now += 1.5
    assert await titles(client) == ["Elsewhere"]


async def feed_titles(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/feeds/en/news.rss")
    assert response.status_code == 200, response.text
    return [item.title for item in parse_xml_feed(response.content).entries]


async def test_one_content_watch_serves_lists_and_feeds(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    watch = answers(app).watch
    feeds: FeedPublisher = app.state.feeds
    assert feeds.cache.watch is watch
    clock = Clock()
    watch.clock, watch.recheck_seconds = clock, 2.0
    assert (await titles(client), await feed_titles(client)) == ([], [])
    entry = await create_published(client, staff.headers("editor"))  # this process: both show it at once
    assert (await titles(client), await feed_titles(client)) == ([ENGLISH_TITLE], [ENGLISH_TITLE])
    # Another process's write: straight to the database, not through this process's transactions.
    await EntryTranslation.update({EntryTranslation.title: "Elsewhere"}).where(
        (EntryTranslation.entry == entry["id"]) & (EntryTranslation.lang == "en")
    )
    await Entry.update({Entry.updated_at: datetime.now(UTC)}).where(Entry.id == entry["id"])
    clock.now += 1.0
    assert (await titles(client), await feed_titles(client)) == ([ENGLISH_TITLE], [ENGLISH_TITLE])
    clock.now += 1.5  # one check of the version, past the interval, moves both
    assert (await titles(client), await feed_titles(client)) == (["Elsewhere"], ["Elsewhere"])


async def test_a_stream_of_distinct_answers_keeps_the_budget_and_revalidations_need_no_build(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    await create_published(client, staff.headers("editor"))
    cache = AnswerCache(answers(app).watch, budget=50_000)
    built: list[int] = []

    def builder(number: int) -> Callable[[], Awaitable[dict[str, str]]]:
        async def build() -> dict[str, str]:
            built.append(number)
            return {"text": f"{number:04d}" * 250}  # about 1 KB encoded

        return build

    await cache.get("hot", builder(-1))
    for number in range(2_000):
        answer = await cache.get(("q", number), builder(number))
        if number == 1_960:
            first = answer
        await cache.get("hot", builder(-1))  # a hot answer stays kept however long the stream
        assert cache.memory.used <= 50_000
    assert built.count(-1) == 1
    assert await cache.peek(("q", 0)) is None  # evicted long ago, ETag and all
    # Evicted lately: its body is gone (about 33 answers fit), its ETag not (about 48 are remembered).
    assert await cache.peek(("q", 1_960)) is None
    before = len(built)
    revalidated = await cache.get(("q", 1_960), builder(1_960), if_none_match=first.etag)
    assert len(built) == before  # answered from its remembered ETag, not built
    assert public_answer(revalidated, first.etag, vary=False).status == 304
    rebuilt = await cache.get(("q", 1_960), builder(1_960), if_none_match='"another"')
    assert rebuilt.body == first.body and len(built) == before + 1
