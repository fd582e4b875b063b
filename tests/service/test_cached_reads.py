"""The fast path of cached public reads answers exactly as the usual path does; on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from service.app import create_app
from service.cached_reads import CachedReads
from service.settings import Settings
from tests.conftest import Database, Lines, Staff, running
from tests.helpers import create_published
from tests.service.test_metrics import sample


@pytest.fixture
async def app(settings: Settings, db: Database) -> AsyncIterator[Litestar]:
    application = create_app(settings)
    async with running(application):
        yield application


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        yield test_client


def front(app: Litestar) -> CachedReads:
    handler = app.asgi_handler
    assert isinstance(handler, CachedReads)
    return handler


def raw(response: httpx.Response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return response.status_code, list(response.headers.raw), response.content


async def both_ways(
    app: Litestar, client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> tuple[tuple[int, list[tuple[bytes, bytes]], bytes], tuple[int, list[tuple[bytes, bytes]], bytes]]:
    """The answer of the usual path (which also fills the caches), then the fast path's."""
    fast = front(app)
    fast.enabled = False
    usual = raw(await client.get(url, headers={**headers, "X-Request-ID": "req-usual-path"}))
    fast.enabled = True
    answered = fast.answered
    quick = raw(await client.get(url, headers={**headers, "X-Request-ID": "req-usual-path"}))
    assert fast.answered == answered + 1, f"{url} {headers} did not take the fast path"
    return usual, quick


async def test_fast_answers_are_byte_identical_to_the_usual_path(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    topic = {"slug": "voluntary-return", "name": {"ka": "ნებაყოფლობითი დაბრუნება", "en": "Voluntary return"}}
    assert (await client.post("/api/v1/topics", json=topic, headers=staff.headers("editor"))).is_success
    entry = await create_published(client, staff.headers("editor"))
    slug = entry["slug"]
    listed = await client.get("/api/v1/news?lang=en")
    etag = listed.headers["etag"]
    feed = await client.get("/feeds/en/news.rss")
    feed_gzip = await client.get("/feeds/en/news.rss", headers={"Accept-Encoding": "gzip"})
    cases: list[tuple[str, dict[str, str]]] = [
        ("/api/v1/news?lang=en", {}),
        ("/api/v1/news/?lang=ka", {}),
        ("/api/v1/news", {"Accept-Language": "en-GB,en;q=0.8"}),
        ("/api/v1/news?lang=en", {"If-None-Match": etag}),
        ("/api/v1/news?lang=en", {"If-None-Match": '"something-else"'}),
        (f"/api/v1/news/{slug}", {}),
        (f"/api/v1/news/{slug}?lang=en", {"Accept-Language": "en"}),
        (f"/api/v1/news/{slug}", {"If-None-Match": "*"}),
        ("/feeds/en/news.rss", {}),
        ("/feeds/en/news.rss", {"If-None-Match": feed.headers["etag"]}),
        ("/feeds/en/news.rss", {"If-Modified-Since": feed.headers["last-modified"]}),
        ("/feeds/en/news.rss", {"Accept-Encoding": "gzip"}),
        ("/feeds/en/news.rss", {"Accept-Encoding": "gzip", "If-None-Match": feed_gzip.headers["etag"]}),
        ("/feeds/en/all.atom", {}),
        ("/feeds/en/topics/voluntary-return.atom", {}),
    ]
    for url, headers in cases:
        usual, quick = await both_ways(app, client, url, headers)
        assert quick == usual, (url, headers)
        status, encoded, _ = quick
        assert status in {200, 304}
        names = [name for name, _ in encoded]
        assert b"x-content-type-options" in names
        assert (b"x-request-id", b"req-usual-path") in encoded


async def test_what_the_fast_path_cannot_answer_takes_the_usual_path(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    entry = await create_published(client, staff.headers("editor"))
    await client.get("/api/v1/news?lang=en")
    await client.get(f"/api/v1/news/{entry['slug']}")
    fast = front(app)
    answered = fast.answered
    staff_view = await client.get("/api/v1/news?lang=en", headers=staff.headers("editor"))
    assert staff_view.status_code == 200
    bad_token = await client.get("/api/v1/news?lang=en", headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401
    assert bad_token.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/v1/news?lang=xx")).status_code == 400
    assert (await client.get("/api/v1/news?lang=en&limit=5")).status_code == 200
    assert (await client.get("/api/v1/news/no-such-entry")).status_code == 404
    assert (await client.get("/feeds/en/nothing.rss")).status_code == 404
    assert (await client.head("/feeds/en/news.rss")).status_code == 200
    assert fast.answered == answered


async def test_fast_answers_are_logged_and_counted(
    app: Litestar, client: httpx.AsyncClient, staff: Staff, json_logs: Lines
) -> None:
    await create_published(client, staff.headers("editor"))
    await client.get("/api/v1/news?lang=en")
    before = (await client.get("/metrics")).text
    fast = front(app)
    answered = fast.answered
    for _ in range(3):
        response = await client.get("/api/v1/news?lang=en", headers={"X-Request-ID": "req-fast-path"})
        assert response.status_code == 200
    assert fast.answered == answered + 3
    after = (await client.get("/metrics")).text
    labels = {"method": "GET", "path": "/api/v1/news", "status_code": "200"}
    for name in ("scmi_requests_total", "scmi_request_duration_seconds_count"):
        assert sample(after, name, **labels) - sample(before, name, **labels) == 3
    lines = [line for line in json_logs.records() if line.get("request_id") == "req-fast-path"]
    assert [(line["message"], line["path"], line["status"]) for line in lines] == [
        ("request", "/api/v1/news", 200)
    ] * 3
