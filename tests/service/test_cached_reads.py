"""The fast path of cached public reads answers exactly as the usual path does (on SQLite and
PostgreSQL), and refuses to install on a route with a layer it would skip."""

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Controller, Litestar, Request, Response, Router, get
from litestar.background_tasks import BackgroundTask
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, ResponseHeader, State
from litestar.datastructures.headers import CacheControlHeader, ETag
from litestar.di import Provide
from litestar.dto import MsgspecDTO
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Receive, Scope, Send

from content.kinds import KINDS
from service.app import create_app
from service.auth import BearerTokenMiddleware
from service.cached_reads import CACHED_READ, Answer, CachedReads, FastPathRefused, serve_cached_reads
from service.client_address import ForwardedClient, parse_networks
from service.controllers.entries import ENTRY_CONTROLLERS, list_query
from service.controllers.feeds import FeedController
from service.metrics import RequestMetrics
from service.middleware import AuditMiddleware, RequestIdMiddleware
from service.settings import Settings
from tests.conftest import Database, Lines, Staff, running
from tests.helpers import bilingual, create_published
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
    if isinstance(handler, ForwardedClient):  # with TRUSTED_PROXIES, the one layer in front of it
        handler = handler.app
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
    for number in range(2):
        body = bilingual(f"სიახლე {number}", f"Commission news {number}", topics=["voluntary-return"])
        await create_published(client, staff.headers("editor"), body=body)
    feed = await client.get("/feeds/en/news.rss")
    feed_gzip = await client.get("/feeds/en/news.rss", headers={"Accept-Encoding": "gzip"})
    second_page = (await client.get("/api/v1/news?lang=en&limit=1")).json()["next_cursor"]
    cases: list[tuple[str, dict[str, str]]] = [
        ("/api/v1/news?lang=en", {}),
        ("/api/v1/news?lang=en&limit=6", {}),
        ("/api/v1/news?limit=12&lang=ka", {}),
        ("/api/v1/news?limit=20", {"Accept-Language": "en"}),
        ("/api/v1/news?lang=en&topic=voluntary-return&limit=6", {}),
        (f"/api/v1/news?lang=en&limit=1&cursor={second_page}", {}),
        ("/api/v1/news?lang=en&q=Commission", {}),
        ("/api/v1/news?lang=ka&q=%E1%83%99%E1%83%9D%E1%83%9B%E1%83%98%E1%83%A1%E1%83%98%E1%83%90", {}),
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
        ("/feeds/en/events.ics", {}),  # a text/ type: Litestar's charset rule
        ("/feeds/ka/news.json", {"Accept-Encoding": "br, gzip;q=0.5"}),
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
    assert (await client.get("/feeds/en/news.rss", headers={"Host": "bad host"})).status_code == 400
    repeated = [("If-None-Match", '"x"'), ("If-None-Match", '"y"')]
    assert (await client.get("/feeds/en/news.rss", headers=repeated)).status_code == 200
    # Queries the fast path does not read, even once their plain form is kept: the handler decides.
    await client.get("/api/v1/news?lang=en&limit=6")
    for query in (
        "lang=en&limit=6&limit=7",
        "lang=en&limit=06",
        "lang=en&limit=6&topic=",
        "lang=en&limit=6&x=1",
    ):
        assert (await client.get(f"/api/v1/news?{query}")).status_code in {200, 400}, query
    assert (await client.get("/api/v1/news?lang=en&limit=6&status=draft")).status_code in {200, 401, 403, 422}
    assert fast.answered == answered


@pytest.mark.parametrize(
    ("query", "read"),
    [
        (b"", {}),
        (b"lang=en", {"lang": "en"}),
        (b"limit=6&lang=ka&topic=return", {"limit": "6", "lang": "ka", "topic": "return"}),
        (b"q=%E1%83%A1%E1%83%AE+x&cursor=abc", {"q": "\u10e1\u10ee x", "cursor": "abc"}),
        (b"limit=100", {"limit": "100"}),
        (b"limit=101", None),
        (b"limit=0", None),
        (b"limit=06", None),
        (b"lang=xx", None),
        (b"lang=en&lang=ka", None),
        (b"topic=", None),
        (b"status=draft", None),
        (b"from=2026-01-01", None),
        (b"q=" + b"a" * 201, None),
        (b"lang", None),
        (b"\xff=1", None),
    ],
)
def test_the_fast_path_reads_a_list_query_only_when_the_handler_would_read_it_alike(
    query: bytes, read: dict[str, str] | None
) -> None:
    assert list_query(query) == read


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


async def no_answer(
    state: State, params: dict[str, Any], query: bytes, headers: dict[bytes, bytes]
) -> Answer | None:
    return None


class Passing:
    """A middleware of a route: the fast path would skip it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class Item(msgspec.Struct):
    name: str


def allow(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    return None


async def nothing_before(request: Request[Any, Any, Any]) -> None:
    return None


async def same_after(response: Response[Any]) -> Response[Any]:
    return response


async def nothing_after(request: Request[Any, Any, Any]) -> None:
    return None


def tick() -> None:
    return None


def cached_handler(**layers: Any) -> HTTPRouteHandler:
    """A fresh handler that names a reader, with the given layers on it."""

    @get("/cached", opt={CACHED_READ: no_answer}, sync_to_thread=False, **layers)
    def cached() -> str:
        return "kept"

    return cached


def app_with(handler: Any, *, middleware: tuple[Any, ...] = (), **config: Any) -> Litestar:
    """An app with the newsroom's own middleware (and `middleware` after it) around `handler`."""
    known: list[Any] = [
        RequestIdMiddleware,
        RequestMetrics,
        DefineMiddleware(BearerTokenMiddleware),
        AuditMiddleware,
    ]
    return Litestar(route_handlers=[handler], middleware=[*known, *middleware], **config)


def controller_with(**layers: Any) -> type[Controller]:
    class Layered(Controller):
        path = "/layered"

        @get("/cached", opt={CACHED_READ: no_answer}, sync_to_thread=False)
        def cached(self) -> str:
            return "kept"

    for name, value in layers.items():
        setattr(Layered, name, value)
    return Layered


@pytest.mark.parametrize(
    ("build", "layer"),
    [
        (lambda: app_with(cached_handler(), allowed_hosts=["newsroom.test"]), "allowed hosts"),
        (
            lambda: app_with(cached_handler(), compression_config=CompressionConfig(backend="gzip")),
            "compression",
        ),
        (lambda: app_with(cached_handler(), csrf_config=CSRFConfig(secret="s" * 32)), "CSRF"),
        (lambda: app_with(cached_handler(middleware=[Passing])), "middleware Passing"),
        (lambda: app_with(controller_with(middleware=[Passing])), "middleware Passing"),
        (lambda: app_with(Router("/r", route_handlers=[cached_handler()], middleware=[Passing])), "Passing"),
        (lambda: app_with(cached_handler(), middleware=(Passing,)), "middleware Passing"),
        (lambda: app_with(cached_handler(guards=[allow])), "guard allow"),
        (lambda: app_with(controller_with(guards=[allow])), "guard allow"),
        (
            lambda: app_with(cached_handler(dependencies={"extra": Provide(tick, sync_to_thread=False)})),
            "'extra'",
        ),
        (
            lambda: app_with(cached_handler(), dependencies={"extra": Provide(tick, sync_to_thread=False)}),
            "'extra'",
        ),
        (lambda: app_with(cached_handler(before_request=nothing_before)), "before_request"),
        (lambda: app_with(cached_handler(), after_request=same_after), "after_request"),
        (lambda: app_with(cached_handler(after_response=nothing_after)), "after_response"),
        (
            lambda: app_with(cached_handler(response_headers=[ResponseHeader(name="x-extra", value="1")])),
            "x-extra",
        ),
        (lambda: app_with(cached_handler(cache_control=CacheControlHeader(max_age=5))), "cache-control"),
        (lambda: app_with(cached_handler(etag=ETag(value="kept"))), "etag"),
        (lambda: app_with(cached_handler(response_cookies=[Cookie(key="seen", value="1")])), "cookie seen"),
        (lambda: app_with(cached_handler(cache=True)), "response cache"),
        (lambda: app_with(cached_handler(background=BackgroundTask(tick))), "background task"),
    ],
)
def test_the_fast_path_refuses_a_route_with_a_layer_it_would_skip(
    build: Callable[[], Litestar], layer: str
) -> None:
    app = build()
    with pytest.raises(
        FastPathRefused, match=r"would skip .*" + re.escape(layer) + r".* on GET /\S*cached \(cached\)"
    ):
        serve_cached_reads(app)


def test_the_fast_path_refuses_a_route_with_a_return_dto() -> None:
    @get("/cached", opt={CACHED_READ: no_answer}, sync_to_thread=False, return_dto=MsgspecDTO[Item])
    def cached() -> Item:
        return Item(name="kept")

    with pytest.raises(FastPathRefused, match="a return DTO on GET /cached"):
        serve_cached_reads(app_with(cached))


def test_the_fast_path_installs_over_the_app_middleware_it_knows() -> None:
    app = serve_cached_reads(app_with(cached_handler()))
    front = app.asgi_handler
    assert isinstance(front, CachedReads)
    assert [handler.handler_name for handler in front.readers] == ["cached"]


def test_the_newsrooms_cached_routes_are_refused_under_a_middleware_the_fast_path_does_not_know() -> None:
    with pytest.raises(FastPathRefused, match=r"would skip middleware Passing on GET /api/v1/news"):
        serve_cached_reads(
            Litestar(route_handlers=[*ENTRY_CONTROLLERS], middleware=[RequestIdMiddleware, Passing])
        )
    with pytest.raises(FastPathRefused, match=r"would skip middleware Passing on GET /feeds/"):
        serve_cached_reads(Litestar(route_handlers=[FeedController], middleware=[Passing]))


def test_the_newsroom_serves_its_lists_entries_and_feeds_on_the_fast_path(settings: Settings) -> None:
    app = create_app(settings)
    front = app.asgi_handler
    assert isinstance(front, CachedReads)
    with_proxies = create_app(replace(settings, trusted_proxies=parse_networks("10.0.0.1")))
    assert isinstance(with_proxies.asgi_handler, ForwardedClient)
    assert isinstance(with_proxies.asgi_handler.app, CachedReads)
    paths = {
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute) and any(handler in front.readers for handler in route.route_handlers)
    }
    assert paths == {
        *(f"/api/v1/{kind}" for kind in KINDS),
        *(f"/api/v1/{kind}/{{ref:str}}" for kind in KINDS),
        "/feeds/{lang:str}/{name:str}",
        "/feeds/{lang:str}/topics/{name:str}",
        "/api/v1/media/{asset_id:uuid}/file",
        "/api/v1/media/{asset_id:uuid}/renditions/{name:str}",
    }


async def fast_answer(
    state: State, params: dict[str, Any], query: bytes, headers: dict[bytes, bytes]
) -> Answer | None:
    return Answer(200, [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"4")], b"fast")


async def test_a_route_registered_after_the_fast_path_is_installed_takes_the_usual_path() -> None:
    @get("/first", opt={CACHED_READ: fast_answer}, sync_to_thread=False)
    def first() -> str:
        return "usual"

    @get("/later", opt={CACHED_READ: fast_answer}, sync_to_thread=False)
    def later() -> str:
        return "usual"

    app = serve_cached_reads(app_with(first))
    app.register(later)  # never checked for layers: the fast path must not serve it
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        assert (await test_client.get("/first")).text == "fast"
        assert (await test_client.get("/later")).text == "usual"
