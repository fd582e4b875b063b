"""The client's address behind a proxy: forwarded headers believed only from TRUSTED_PROXIES, both ways."""

import os
from pathlib import Path

import httpx
import pytest

from accounts.staff import add_staff
from newsletters.tables import ConsentEvent
from service.client_address import client_of, parse_networks
from service.settings import Settings, SettingsError
from tests.conftest import Database
from tests.live_scmi import scmi_run
from tests.newsletters.conftest import LISTS
from tests.private_servers import free_port

PROXIES = parse_networks("10.0.0.0/8, 127.0.0.1 ::1")


def xff(value: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-forwarded-for", value.encode())]


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        # An untrusted peer is the client, whatever it claims.
        ("203.0.113.9", xff("198.51.100.1"), "203.0.113.9"),
        ("203.0.113.9", [(b"forwarded", b"for=198.51.100.1")], "203.0.113.9"),
        # A trusted proxy: the right-most hop it did not add itself.
        ("10.0.0.2", xff("198.51.100.1"), "198.51.100.1"),
        # A client that sends its own X-Forwarded-For cannot push its real address out of the walk.
        ("10.0.0.2", xff("1.2.3.4, 198.51.100.1"), "198.51.100.1"),
        ("10.0.0.2", [*xff("1.2.3.4"), *xff("198.51.100.1")], "198.51.100.1"),
        # Two proxies of ours in a row.
        ("127.0.0.1", xff("198.51.100.1, 10.0.0.7"), "198.51.100.1"),
        # RFC 7239 Forwarded, with ports, IPv6 in brackets and quotes.
        ("10.0.0.2", [(b"forwarded", b'for="[2001:db8:cafe::17]:4711";proto=https')], "2001:db8:cafe::17"),
        ("10.0.0.2", [(b"forwarded", b"for=192.0.2.43:80, for=10.0.0.9")], "192.0.2.43"),
        # X-Forwarded-For wins over Forwarded (the common proxies append to it).
        ("10.0.0.2", [(b"forwarded", b"for=1.1.1.1"), *xff("198.51.100.1")], "198.51.100.1"),
        # A hop that is no address stops the walk at the proxy that passed it on.
        ("10.0.0.2", xff("198.51.100.1, garbage"), "10.0.0.2"),
        ("10.0.0.2", [(b"forwarded", b"for=unknown")], "10.0.0.2"),
        # Every hop trusted: the left-most.
        ("10.0.0.2", xff("10.1.1.1"), "10.1.1.1"),
        # No header at all: the proxy itself.
        ("10.0.0.2", [], "10.0.0.2"),
        # An IPv4 client seen through an IPv6 socket.
        ("::ffff:10.0.0.2", xff("198.51.100.1"), "198.51.100.1"),
        # The test client's made-up peer name is kept as it is.
        ("testclient", xff("198.51.100.1"), "testclient"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(
    peer: str, headers: list[tuple[bytes, bytes]], client: str
) -> None:
    assert client_of(peer, headers, PROXIES) == client


def test_no_trusted_proxies_means_no_forwarded_header_is_believed() -> None:
    assert client_of("127.0.0.1", xff("198.51.100.1"), ()) == "127.0.0.1"


def test_trusted_proxies_setting_reads_networks_and_refuses_nonsense() -> None:
    settings = Settings.from_env({"TRUSTED_PROXIES": "10.0.0.0/8,172.16.0.1 fd00::/8"})
    assert [str(network) for network in settings.trusted_proxies] == [
        "10.0.0.0/8",
        "172.16.0.1/32",
        "fd00::/8",
    ]
    with pytest.raises(SettingsError, match=r"TRUSTED_PROXIES.*'proxy.local'"):
        Settings.from_env({"TRUSTED_PROXIES": "10.0.0.1, proxy.local"})


async def _subscribe(client: httpx.AsyncClient, email: str, forwarded_for: str) -> int:
    body = {"email": email, "name": "ნინო", "lang": "ka", "lists": ["press"], "consent": True}
    response = await client.post(
        "/api/v1/subscriptions", json=body, headers={"X-Forwarded-For": forwarded_for}
    )
    return response.status_code


async def _serve(db: Database, tmp_path: Path, name: str, trusted: str) -> tuple[dict[str, str], int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "DATA_DIR": str(tmp_path / name),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SUBSCRIBE_LIMIT_PER_IP": "2",
        "SUBSCRIBE_LIMIT_WINDOW": "600",
        "FEED_CACHE_PREFIX": f"test-{name}-{port}:",
        "TRUSTED_PROXIES": trusted,
    }
    # The in-process queue keeps the rate limits in the server: each run starts with none counted.
    env.pop("REDIS_URL", None)
    return env, port


async def test_behind_a_trusted_proxy_consent_records_and_rate_limits_name_the_real_client(
    db: Database, tmp_path: Path
) -> None:
    env, port = await _serve(db, tmp_path, "trusted", "127.0.0.1")
    async with (
        scmi_run(env, port, tmp_path / "trusted.log") as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        admin = {"Authorization": f"Bearer {(await add_staff('admin@scmi.test', 'admin', name='A')).token}"}
        for body in LISTS:
            assert (await client.post("/api/v1/lists", json=body, headers=admin)).status_code == 201
        assert await _subscribe(client, "one@press.ge", "198.51.100.1") == 202
        assert await _subscribe(client, "two@press.ge", "198.51.100.1") == 202
        # The third from the same person is limited; another person behind the same proxy is not.
        assert await _subscribe(client, "three@press.ge", "198.51.100.1") == 429
        assert await _subscribe(client, "four@press.ge", "198.51.100.2") == 202
    recorded = await ConsentEvent.select(ConsentEvent.ip).where(ConsentEvent.action == "subscribe")
    assert sorted(row["ip"] for row in recorded) == ["198.51.100.1", "198.51.100.1", "198.51.100.2"]


async def test_without_trusted_proxies_a_forged_header_changes_nothing(db: Database, tmp_path: Path) -> None:
    env, port = await _serve(db, tmp_path, "untrusted", "")
    async with (
        scmi_run(env, port, tmp_path / "untrusted.log") as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        admin = {"Authorization": f"Bearer {(await add_staff('admin@scmi.test', 'admin', name='A')).token}"}
        for body in LISTS:
            assert (await client.post("/api/v1/lists", json=body, headers=admin)).status_code == 201
        assert await _subscribe(client, "one@press.ge", "198.51.100.1") == 202
        assert await _subscribe(client, "two@press.ge", "198.51.100.2") == 202
        # A new made-up address for every request does not get round the limit.
        assert await _subscribe(client, "three@press.ge", "198.51.100.3") == 429
    recorded = await ConsentEvent.select(ConsentEvent.ip).where(ConsentEvent.action == "subscribe")
    assert [row["ip"] for row in recorded] == ["127.0.0.1", "127.0.0.1"]
