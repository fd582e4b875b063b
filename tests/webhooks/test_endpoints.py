"""Registering webhook endpoints through the API, and the addresses refused in production."""

from collections.abc import AsyncIterator

import httpx
import pytest

from content.webhooks.safety import RefusedTarget, resolve
from service.app import create_app
from service.settings import Settings
from tests.conftest import Staff, running, settings_with

BODY = {"url": "https://website.test/hooks", "events": ["entry.published"], "description": "The website"}


async def test_the_secret_is_shown_once_and_the_endpoint_can_be_changed_and_removed(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    admin = staff.headers("admin")
    created = await client.post("/api/v1/webhooks", json=BODY, headers=admin)
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_") and len(endpoint["secret"]) > 40
    assert (endpoint["url"], endpoint["events"], endpoint["enabled"]) == (
        BODY["url"],
        ["entry.published"],
        True,
    )

    listed = (await client.get("/api/v1/webhooks", headers=admin)).json()
    assert [item["id"] for item in listed] == [endpoint["id"]]
    assert "secret" not in listed[0]
    one = (await client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=admin)).json()
    assert "secret" not in one

    changed = await client.patch(
        f"/api/v1/webhooks/{endpoint['id']}",
        json={"events": ["entry.updated", "entry.archived"], "enabled": False},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["entry.updated", "entry.archived"]
    assert changed.json()["enabled"] is False

    removed = await client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=admin)
    assert removed.status_code == 204
    assert (await client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=admin)).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"events": ["entry.deleted"]}, "events"),
        ({"events": []}, "events"),
        ({"url": "ftp://website.test/hooks"}, "url"),
        ({"url": "https://user:pass@website.test/hooks"}, "url"),
        ({"url": "not a url"}, "url"),
    ],
)
async def test_bad_endpoints_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, staff: Staff, change: dict[str, object], field: str
) -> None:
    admin = staff.headers("admin")
    response = await client.post("/api/v1/webhooks", json={**BODY, **change}, headers=admin)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text
    assert (await client.get("/api/v1/webhooks", headers=admin)).json() == []


@pytest.fixture
async def production(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_with(settings, environment="production", secret_key="k" * 48))
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as http:
            yield http


INWARD = [
    "http://localhost:8080/hooks",  # a name that resolves to 127.0.0.1
    "http://127.0.0.1/hooks",
    "http://10.1.2.3/hooks",
    "http://192.168.0.10/hooks",
    "http://169.254.169.254/latest/meta-data",  # the cloud metadata address
    "http://[::1]/hooks",
    "http://[::ffff:127.0.0.1]/hooks",
    "http://0.0.0.0/hooks",
]


async def test_production_refuses_inward_addresses_even_by_name(
    production: httpx.AsyncClient, staff: Staff
) -> None:
    admin = staff.headers("admin")
    for url in INWARD:
        response = await production.post("/api/v1/webhooks", json={**BODY, "url": url}, headers=admin)
        assert response.status_code == 422, (url, response.text)
        assert "private, loopback or link-local" in response.json()["detail"], url
    localhost = await production.post("/api/v1/webhooks", json={**BODY, "url": INWARD[0]}, headers=admin)
    assert "127.0.0.1" in localhost.json()["detail"] or "::1" in localhost.json()["detail"]
    assert (await production.get("/api/v1/webhooks", headers=admin)).json() == []


async def test_allow_private_lets_production_register_inward_addresses(
    settings: Settings, staff: Staff
) -> None:
    allowed = settings_with(
        settings, environment="production", secret_key="k" * 48, webhook_allow_private=True
    )
    app = create_app(allowed)
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver.local") as http:
            response = await http.post(
                "/api/v1/webhooks", json={**BODY, "url": INWARD[0]}, headers=staff.headers("admin")
            )
    assert response.status_code == 201, response.text


async def test_resolution_checks_every_address_and_keeps_the_one_checked() -> None:
    with pytest.raises(RefusedTarget, match=r"127\.0\.0\.1|::1"):
        await resolve("http://localhost:9/", allow_private=False)
    public = await resolve("https://93.184.215.14:8443/in?x=1", allow_private=False)
    assert (public.address, public.port, public.path, public.host) == (
        "93.184.215.14",
        8443,
        "/in?x=1",
        "93.184.215.14",
    )
    inward = await resolve("http://localhost:9/", allow_private=True)
    assert inward.address in {"127.0.0.1", "::1"}
    with pytest.raises(RefusedTarget, match="does not resolve"):
        await resolve("http://no-such-host.invalid/", allow_private=True)
