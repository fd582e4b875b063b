"""Security headers: strict CSP, nosniff and Referrer-Policy on pages, CORS by allowlist, public writes
rate limited. Routes come from the app's route table, so a new page or public write cannot escape."""

import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from service.app import create_app
from service.security_headers import is_docs
from service.settings import Settings
from tests.conftest import Database, running
from tests.newsletters.conftest import Inbox, newsroom_for
from tests.newsletters.test_campaigns import add_partners, draft
from tests.private_servers import smtp_server
from tests.security.test_authorisation_matrix import EXPECTED, PUBLIC

ALLOWED_ORIGIN = "https://migration.commission.ge"
FOREIGN_ORIGIN = "https://evil.example"
PAGES_SEEN_AS_HTML = {  # these must answer HTML in the walk below, or the walk proves nothing
    "/newsletters/{lang:str}",
    "/subscriptions/confirm/{token:str}",
    "/subscriptions/{lang:str}",
    "/subscriptions/{lang:str}/{list_slug:str}",
    "/subscriptions/unsubscribe/{token:str}",
    "/subscriptions/preferences/{token:str}",
    "/schema",
}


def http_to(app: Litestar, address: str = "198.51.100.9") -> httpx.AsyncClient:
    """A client of the running app, calling from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


@contextlib.asynccontextmanager
async def client_of(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with running(app), http_to(app) as http:
        yield http


def concrete(path: str) -> str:
    """A path of the route with its parameters filled: a language where one is asked, else a random id."""
    path = path.replace("{lang:str}", "en")
    return re.sub(r"{[^}]+}", lambda _: str(uuid.uuid4()), path)


def get_routes(app: Litestar) -> list[str]:
    return sorted(
        {route.path for route in app.routes if isinstance(route, HTTPRoute) and "GET" in route.methods}
    )


def assert_page_headers(path: str, response: httpx.Response) -> None:
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'none'"], (path, policy)
    assert directives.get("frame-ancestors") == ["'none'"], (path, policy)
    assert directives.get("base-uri") == ["'none'"], (path, policy)
    if not is_docs(path):  # no page of ours runs a script, inline or not
        assert "script-src" not in directives, (path, policy)
    assert response.headers.get("referrer-policy") == "no-referrer", path
    assert response.headers.get("cross-origin-opener-policy") == "same-origin", path
    assert response.headers.get("cross-origin-resource-policy") == "same-origin", path
    permissions = response.headers.get("permissions-policy", "")
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in permissions, (path, permissions)


async def test_every_answer_is_nosniff_and_every_page_has_a_strict_policy(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    seen_html: set[str] = set()
    for route in get_routes(create_app(settings)):
        for accept in ("text/html", "application/json"):
            response = await client.get(concrete(route), headers={"Accept": accept})
            assert response.status_code < 500, (route, response.status_code)
            assert response.headers.get("x-content-type-options") == "nosniff", (route, accept)
            if response.headers.get("content-type", "").startswith("text/html"):
                assert_page_headers(route, response)
                seen_html.add(route)
    assert seen_html >= PAGES_SEEN_AS_HTML
    unknown = await client.get("/no/such/page", headers={"Accept": "text/html"})
    assert unknown.status_code == 404 and unknown.headers["x-content-type-options"] == "nosniff"
    for path in ("/feeds/en/news.rss", "/feeds/en/all.json", "/api/v1/news", "/metrics"):
        answer = await client.get(path)
        assert answer.status_code == 200 and answer.headers["x-content-type-options"] == "nosniff", path


async def test_a_sent_newsletter_page_allows_its_styles_and_images_but_no_script(
    settings: Settings, db: Database
) -> None:
    with smtp_server(Inbox()) as url:
        async with newsroom_for(replace(settings, smtp_url=url), db) as room:
            await add_partners(room, [("partner@example.org", "en", "")])
            campaign = await draft(room, [])
            await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
            await room.run_jobs()
            frame = await room.client.get(f"/newsletters/en/{campaign['slug']}")
            page = await room.client.get(f"/newsletters/en/{campaign['slug']}/mail")
    # The archive's page is as strict as every page, and may frame the mail from this site only.
    assert frame.status_code == 200
    assert_page_headers("/newsletters/{lang:str}/{slug:str}", frame)
    assert "frame-src 'self'" in frame.headers["content-security-policy"]
    # The mail keeps its inline styles and images, runs nothing, and only this site may frame it.
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'none'"] and "script-src" not in directives
    assert directives["frame-ancestors"] == ["'self'"]
    assert "style-src 'unsafe-inline'" in policy and "form-action 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_cors_echoes_allowed_origins_only_and_never_with_credentials(
    settings: Settings, db: Database
) -> None:
    async with client_of(replace(settings, cors_origins=(ALLOWED_ORIGIN,))) as http:
        allowed = await http.get("/api/v1/news", headers={"Origin": ALLOWED_ORIGIN})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert "origin" in allowed.headers.get("vary", "").lower()
        assert "access-control-allow-credentials" not in allowed.headers
        assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()

        foreign = await http.get("/api/v1/news", headers={"Origin": FOREIGN_ORIGIN})
        assert foreign.status_code == 200 and "access-control-allow-origin" not in foreign.headers

        preflight = {
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        }
        answer = await http.options("/api/v1/news", headers=preflight)
        assert answer.status_code in (200, 204), answer.text
        assert answer.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert "POST" in answer.headers["access-control-allow-methods"]
        assert {"authorization", "content-type"} <= {
            header.strip().lower() for header in answer.headers["access-control-allow-headers"].split(",")
        }
        assert "access-control-allow-credentials" not in answer.headers
        refused = await http.options("/api/v1/news", headers={**preflight, "Origin": FOREIGN_ORIGIN})
        assert refused.status_code >= 400 and "access-control-allow-origin" not in refused.headers

    async with client_of(settings) as http:  # no CORS_ORIGINS: no browser elsewhere may read answers
        plain = await http.get("/api/v1/news", headers={"Origin": ALLOWED_ORIGIN})
        assert "access-control-allow-origin" not in plain.headers

    async with client_of(replace(settings, cors_origins=("*",))) as http:  # any origin, but never credentials
        wildcard = await http.get("/api/v1/news", headers={"Origin": FOREIGN_ORIGIN})
        assert wildcard.headers["access-control-allow-origin"] in ("*", FOREIGN_ORIGIN)
        assert "access-control-allow-credentials" not in wildcard.headers


# Public GETs that write: none (mail link scanners open every link; the confirmation link opens a page
# whose button POSTs).
WRITING_GETS: set[tuple[str, str]] = set()


# Writes that anyone may reach but only a secret lets through: a mail service posts bounces in bursts
# with BOUNCE_WEBHOOK_TOKEN (tests/newsletters/bounces/test_webhook.py: 401 and nothing changed without
# it), or signed by Amazon SNS or Mailgun (test_ses_hook.py, test_mailgun_hook.py).
TOKEN_CHECKED_WRITES = {("POST", "/api/v1/bounces"), ("POST", "/hooks/{provider:str}")}


def public_writes() -> list[tuple[str, str]]:
    return sorted(
        (method, path)
        for (method, path), role in EXPECTED.items()
        if role == PUBLIC
        and (method == "POST" or (method, path) in WRITING_GETS)
        and (method, path) not in TOKEN_CHECKED_WRITES
    )


@pytest.mark.parametrize(("method", "path"), public_writes())
async def test_every_public_write_is_rate_limited(
    settings: Settings, db: Database, method: str, path: str
) -> None:
    limited = replace(
        settings,
        subscribe_limit_per_ip=2,
        subscribe_limit_window=600,
        public_post_limit_per_ip=2,
        public_post_limit_window=600,
    )
    body = {"email": "nino@example.ge", "lists": ["press"], "consent": True}
    app = create_app(limited)
    async with running(app), http_to(app) as http, http_to(app, "198.51.100.10") as neighbour:
        target = concrete(path)
        answers = [await http.request(method, target, json=body) for _ in range(3)]
        assert [answer.status_code == 429 for answer in answers] == [False, False, True], [
            answer.status_code for answer in answers
        ]
        refused = answers[-1]
        # A sign-up or registration page answers with a page.
        if path.startswith(("/subscriptions/{lang:str}", "/events/{lang:str}")):
            assert refused.headers["content-type"].startswith("text/html")
        else:
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["status"] == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 600
        # Another address has an allowance of its own.
        assert (await neighbour.request(method, target, json=body)).status_code != 429


def test_every_public_write_in_the_route_table_is_covered(settings: Settings) -> None:
    app = create_app(settings)
    public_posts = {
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and "POST" in route.methods
        and EXPECTED.get(("POST", route.path)) == PUBLIC
        and ("POST", route.path) not in TOKEN_CHECKED_WRITES
    }
    assert public_posts == {path for method, path in public_writes() if method == "POST"} and public_posts


async def test_hsts_only_over_https(settings: Settings, db: Database) -> None:
    app = create_app(settings)
    async with running(app):
        for base, expected in (("https://newsroom.test", "max-age=31536000"), ("http://newsroom.test", None)):
            transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 50000))
            async with httpx.AsyncClient(transport=transport, base_url=base) as http:
                for path in ("/subscriptions/en", "/api/v1/news", "/feeds/en/news.rss", "/no/such/page"):
                    answer = await http.get(path)
                    assert answer.headers.get("strict-transport-security") == expected, (base, path)


async def test_hsts_behind_a_trusted_proxy_follows_its_forwarded_scheme(
    settings: Settings, db: Database
) -> None:
    from service.client_address import parse_networks

    app = create_app(replace(settings, trusted_proxies=parse_networks("10.0.0.0/8")))
    async with running(app):
        for peer, expected in (("10.0.0.2", "max-age=31536000"), ("198.51.100.9", None)):
            transport = httpx.ASGITransport(app=app, client=(peer, 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://api:8000") as http:
                answer = await http.get("/api/v1/news", headers={"X-Forwarded-Proto": "https"})
                assert answer.headers.get("strict-transport-security") == expected, peer
