"""Load: 200 concurrent readers of feeds, lists, entries and search for 60 s while a campaign sends.

A live `scmi serve` and `scmi worker` on PostgreSQL, a Redis of the test's own and an SMTP sink, all on
loopback; wrk makes the load. No answer may fail, the campaign must finish, and the server's memory must
stay flat over the steady phase.
"""

import asyncio
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO
from urllib.parse import quote

import asyncpg
import httpx
import pytest

from tests.conftest import POSTGRES_ADMIN_URL
from tests.faults.live import live_scmi
from tests.helpers import bilingual
from tests.private_servers import free_port, private_redis, wait_for_port
from tests.service.test_command_line import SCMI

READERS = 200
SECONDS = 60
WARM_UP = 5
RECIPIENTS = 3000
ENTRIES = 30
MEMORY_GROWTH_LIMIT_MB = 50
CAMPAIGN_DEADLINE = 180
# A reader's patience: on a 2-core machine shared with other test runs, 200 readers queue for seconds
# behind one another; an answer later than this counts as an error (wrk's timeout).
PATIENCE = 30

# wrk hands each connection the next path of the list, round and round.
ROTATION = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


@pytest.fixture
async def load_database() -> AsyncIterator[str]:
    name = f"scmi_load_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield POSTGRES_ADMIN_URL.rpartition("/")[0] + f"/{name}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture
def smtp_sink() -> Iterator[str]:
    """aiosmtpd's Sink in a process of its own, so that taking mail does not compete with the readers."""
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"smtp://127.0.0.1:{port}"
    finally:
        sink.terminate()
        sink.wait(timeout=10)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


class MemorySampler(threading.Thread):
    """The resident memory of a process, once a second, from /proc."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.done.wait(1):
            self.samples.append((time.monotonic() - started, rss_mb(self.pid)))


async def seed(http: httpx.AsyncClient, headers: dict[str, str], database_url: str) -> list[str]:
    """Topics, published entries and a list of RECIPIENTS active subscribers; returns the readers' paths."""
    topic = {"slug": "migration-policy", "name": {"ka": "მიგრაციის პოლიტიკა", "en": "Migration policy"}}
    assert (await http.post("/api/v1/topics", json=topic, headers=headers)).status_code == 201
    slugs = []
    for number in range(ENTRIES):
        body = bilingual(
            f"სხდომა ნომერი {number}", f"Strategy sitting number {number}", topics=["migration-policy"]
        )
        created = await http.post("/api/v1/news", json=body, headers=headers)
        assert created.status_code == 201, created.text
        entry = created.json()
        assert (await http.post(f"/api/v1/news/{entry['id']}/publish", headers=headers)).status_code == 200
        slugs += [ref["slug"] for ref in entry["translations"]]
    partners = {"slug": "partners", "name": {"ka": "პარტნიორები", "en": "Partners"}, "public": False}
    assert (await http.post("/api/v1/lists", json=partners, headers=headers)).status_code == 201
    connection = await asyncpg.connect(database_url)
    try:
        # In bulk, as an import would: the campaign is what the test is about, not the sign-ups.
        await connection.execute(
            """
            INSERT INTO subscriber (id, address_key, email, name, organisation, lang, status, token, basis,
                                    created_at, updated_at)
            SELECT gen_random_uuid(), md5('key' || n), 'reader' || n || '@example.ge', 'Reader ' || n, '',
                   CASE WHEN n % 3 = 0 THEN 'en' ELSE 'ka' END, 'active', md5('token' || n), 'load test',
                   now(), now()
            FROM generate_series(1, $1) AS n
            """,
            RECIPIENTS,
        )
        await connection.execute(
            """
            INSERT INTO membership (id, subscriber, mailing_list, status, created_at, updated_at, subscribed_at)
            SELECT gen_random_uuid(), s.id, l.id, 'active', now(), now(), now()
            FROM subscriber s, mailing_list l WHERE l.slug = 'partners'
            """
        )
    finally:
        await connection.close()
    paths = [
        "/feeds/ka/news.rss",
        "/feeds/en/news.atom",
        "/feeds/en/all.json",
        "/feeds/ka/all.rss",
        "/feeds/en/topics/migration-policy.rss",
        "/api/v1/news?lang=en",
        "/api/v1/news?lang=ka&limit=50",
        "/api/v1/news?lang=en&topic=migration-policy",
        "/api/v1/events",
        "/api/v1/topics",
        "/api/v1/feeds",
        "/api/v1/news?lang=en&q=strategy",
        f"/api/v1/news?lang=ka&q={quote('სხდომა')}",
    ]
    return paths + [f"/api/v1/news/{slug}" for slug in slugs[:20]]


def migrate_and_add_an_admin(env: dict[str, str]) -> str:
    subprocess.run([SCMI, "migrate"], env=env, check=True, capture_output=True)
    return subprocess.run(
        [SCMI, "staff", "add", "admin@load.test", "--role", "admin"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def start_worker(env: dict[str, str], log: IO[str]) -> "subprocess.Popen[bytes]":
    return subprocess.Popen([SCMI, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)


def wrk(base: str, paths: list[str], script: Path) -> str:
    script.write_text(ROTATION % ", ".join(f'"{path}"' for path in paths))
    command = [
        "wrk",
        "-t2",
        f"-c{READERS}",
        f"-d{SECONDS}s",
        "--timeout",
        f"{PATIENCE}s",
        "-s",
        str(script),
        base,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


async def test_200_readers_for_a_minute_while_a_campaign_sends(
    load_database: str, smtp_sink: str, tmp_path: Path
) -> None:
    assert shutil.which("wrk"), "wrk is needed for the load test (apt-get install wrk)"
    with private_redis(tmp_path) as redis_url:
        env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "SMTP_URL"}}
        env |= {
            "DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": load_database,
            "REDIS_URL": redis_url,
            "SMTP_URL": smtp_sink,
            "PUBLIC_URL": "https://newsroom.test",
            "WORKER_METRICS_PORT": str(free_port()),
        }
        token = await asyncio.to_thread(migrate_and_add_an_admin, env)
        headers = {"Authorization": f"Bearer {token}"}
        with (tmp_path / "worker.log").open("w") as worker_log:
            worker = start_worker(env, worker_log)
            try:
                with live_scmi(env, tmp_path / "serve.log", command="serve") as (base, server_pid):
                    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                        paths = await seed(http, headers, load_database)
                        for path in paths:  # every path answers before the load starts
                            assert (await http.get(path)).status_code == 200, path
                        campaign = await http.post(
                            "/api/v1/campaigns",
                            json={
                                "template": "newsletter",
                                "subject": {"ka": "სიახლეები", "en": "News"},
                                "lists": ["partners"],
                                "from_name": "Secretariat",
                                "from_address": "newsroom@newsroom.test",
                            },
                            headers=headers,
                        )
                        assert campaign.status_code == 201, campaign.text
                        campaign_id = campaign.json()["id"]
                        server = MemorySampler(server_pid)
                        worker_memory = MemorySampler(worker.pid)
                        server.start()
                        worker_memory.start()
                        sent = await http.post(
                            f"/api/v1/campaigns/{campaign_id}/send", json={}, headers=headers
                        )
                        assert sent.status_code == 202, sent.text
                        started = time.monotonic()
                        report = await asyncio.to_thread(wrk, base, paths, tmp_path / "rotation.lua")
                        server.done.set()
                        worker_memory.done.set()
                        deadline = time.monotonic() + CAMPAIGN_DEADLINE
                        while True:
                            state = (
                                await http.get(f"/api/v1/campaigns/{campaign_id}", headers=headers)
                            ).json()
                            if state["status"] == "sent" or time.monotonic() > deadline:
                                break
                            await asyncio.sleep(1)
                        finished_after = time.monotonic() - started
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)

    requests = int(re.search(r"(\d+) requests in", report).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: .*", report)
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    steady = [mb for at, mb in server.samples if at >= WARM_UP]
    start_mb, end_mb, peak_mb = steady[0], steady[-1], max(mb for _, mb in server.samples)
    worker_mb = [mb for _, mb in worker_memory.samples]
    print(
        f"\nload: {READERS} readers for {SECONDS} s over {len(paths)} paths: {requests} requests, "
        f"{rate:.0f} requests/s, socket errors: {errors.group(0) if errors else 'none'}, "
        f"non-2xx/3xx: {failures.group(1) if failures else 0}\n"
        f"server memory (MB) steady phase: start {start_mb:.1f}, end {end_mb:.1f}, peak {peak_mb:.1f}; "
        f"worker: start {worker_mb[0]:.1f}, end {worker_mb[-1]:.1f}, peak {max(worker_mb):.1f}\n"
        f"campaign: {state['status']} {state['counts']} {finished_after:.0f} s after the send"
    )
    print(report)
    assert errors is None, report
    assert failures is None, report
    assert requests > 0
    assert state["status"] == "sent", state
    assert state["counts"]["sent"] == RECIPIENTS and state["counts"]["failed"] == 0, state
    assert end_mb - start_mb < MEMORY_GROWTH_LIMIT_MB, (start_mb, end_mb)
