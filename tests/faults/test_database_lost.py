"""PostgreSQL stopped for 20 s under a live `scmi run`: 503 problem+json meanwhile, recovery by itself after.

Writes go on through the outage; afterwards every write that was answered 2xx is whole in the database
and every write that was refused left nothing behind.
"""

import asyncio
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.faults.live import live_scmi
from tests.faults.postgres_cluster import PostgresCluster, postgres_cluster
from tests.helpers import bilingual
from tests.service.test_command_line import SCMI

OUTAGE_SECONDS = 20
RECOVERY_SECONDS = 10
WRITERS = 3
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with postgres_cluster() as running:
        yield running


@dataclass
class Answer:
    """One request: what was asked, when it was sent and answered, and how."""

    kind: str
    marker: int
    sent: float
    answered: float
    status: int
    content_type: str = ""
    body: str = ""
    entry_id: str | None = None


@dataclass
class Traffic:
    answers: list[Answer] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    next_marker: int = 0


async def _call(
    http: httpx.AsyncClient,
    traffic: Traffic,
    kind: str,
    marker: int,
    method: str,
    path: str,
    **options: object,
) -> Answer:
    sent = time.monotonic()
    try:
        response = await http.request(method, path, **options)  # type: ignore[arg-type]
    except httpx.TransportError as error:
        answer = Answer(kind, marker, sent, time.monotonic(), 0, body=repr(error))
    else:
        answer = Answer(
            kind,
            marker,
            sent,
            time.monotonic(),
            response.status_code,
            response.headers.get("content-type", ""),
            response.text,
        )
        if kind == "create" and response.status_code == 201:
            answer.entry_id = response.json()["id"]
    traffic.answers.append(answer)
    return answer


def _entry(marker: int) -> dict[str, object]:
    return bilingual(
        ka_title=f"გათიშვის ცდა {marker}", en_title=f"Outage probe {marker}", topics=["migration-policy"]
    )


async def _writer(http: httpx.AsyncClient, traffic: Traffic, headers: dict[str, str]) -> None:
    """Create an entry with both translations and a topic, then publish it; over and over."""
    while not traffic.stop.is_set():
        traffic.next_marker += 1
        marker = traffic.next_marker
        created = await _call(
            http, traffic, "create", marker, "POST", "/api/v1/news", json=_entry(marker), headers=headers
        )
        if created.entry_id is not None:
            await _call(
                http, traffic, "publish", marker, "POST", f"/api/v1/news/{created.entry_id}/publish",
                headers=headers,
            )  # fmt: skip
        await asyncio.sleep(0.02)


async def _reader(http: httpx.AsyncClient, traffic: Traffic) -> None:
    while not traffic.stop.is_set():
        await _call(http, traffic, "list", 0, "GET", "/api/v1/news?lang=en")
        await _call(http, traffic, "ready", 0, "GET", "/readyz")
        await asyncio.sleep(0.05)


async def _recovered(http: httpx.AsyncClient, headers: dict[str, str]) -> bool:
    ready = await http.get("/readyz")
    listed = await http.get("/api/v1/news")
    created = await http.post("/api/v1/news", json=_entry(-1), headers=headers)
    return (ready.status_code, listed.status_code, created.status_code) == (200, 200, 201)


def _env(cluster: PostgresCluster, data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "SMTP_URL"}}
    return {**env, "DATA_DIR": str(data_dir), "DATABASE_URL": cluster.url("scmi")}


def _migrate_and_add_an_editor(env: dict[str, str]) -> str:
    subprocess.run([SCMI, "migrate"], env=env, check=True, capture_output=True)
    return subprocess.run(
        [SCMI, "staff", "add", "editor@outage.test", "--role", "editor"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


async def test_the_api_answers_503_while_postgres_is_down_and_no_write_is_half_applied(
    cluster: PostgresCluster, tmp_path: Path
) -> None:
    admin = await asyncpg.connect(cluster.url())
    await admin.execute("CREATE DATABASE scmi")
    await admin.close()
    env = _env(cluster, tmp_path / "data")
    token = await asyncio.to_thread(_migrate_and_add_an_editor, env)
    headers = {"Authorization": f"Bearer {token}"}
    log_path = tmp_path / "server.log"
    traffic = Traffic()
    with live_scmi(env, log_path) as (base, _):
        async with httpx.AsyncClient(base_url=base, timeout=15) as http:
            topic = {
                "slug": "migration-policy",
                "name": {"ka": "მიგრაციის პოლიტიკა", "en": "Migration policy"},
            }
            assert (await http.post("/api/v1/topics", json=topic, headers=headers)).status_code == 201
            workers = [asyncio.create_task(_writer(http, traffic, headers)) for _ in range(WRITERS)]
            workers.append(asyncio.create_task(_reader(http, traffic)))
            await asyncio.sleep(2)
            stopping_from = time.monotonic()
            await asyncio.to_thread(cluster.stop)
            down_from = time.monotonic()
            await asyncio.sleep(OUTAGE_SECONDS)
            down_until = time.monotonic()
            await asyncio.to_thread(cluster.start)
            started = time.monotonic()
            while not await _recovered(http, headers):
                assert time.monotonic() - started < RECOVERY_SECONDS, "the service did not recover by itself"
                await asyncio.sleep(0.2)
            recovery = time.monotonic() - started
            await asyncio.sleep(2)
            traffic.stop.set()
            await asyncio.gather(*workers)
    server_log = log_path.read_text()

    answers = traffic.answers
    during = [a for a in answers if a.sent >= down_from and a.answered <= down_until]
    statuses = sorted({a.status for a in answers})
    print(
        f"\nPostgreSQL down {OUTAGE_SECONDS} s: {len(answers)} requests, statuses {statuses}; "
        f"{len(during)} answered while down, all 503: {all(a.status == 503 for a in during)}; "
        f"recovered {recovery:.1f} s after the restart"
    )
    assert all(a.status in (200, 201, 503) for a in answers), [
        (a.kind, a.status, a.body[:300]) for a in answers if a.status not in (200, 201, 503)
    ]
    assert {a.kind for a in during} == {"create", "list", "ready"}
    for answer in during:
        assert answer.status == 503, (answer.kind, answer.status, answer.body[:300])
    for answer in (a for a in answers if a.status == 503):
        assert answer.content_type == PROBLEM, answer
        assert "Traceback" not in answer.body and 'File "' not in answer.body
    assert "unhandled error" not in server_log, server_log[-4000:]
    assert '"status": 500' not in server_log, "the request log counts a 503 as a 500"

    # A write in flight while PostgreSQL shut down may have committed with its acknowledgement lost:
    # its 503 cannot say which; every other refused write must have left nothing.
    in_flight = {a.marker for a in answers if a.sent <= down_from and a.answered >= stopping_from}
    await _check_no_write_is_half_applied(cluster, answers, in_flight)


async def _check_no_write_is_half_applied(
    cluster: PostgresCluster, answers: list[Answer], in_flight: set[int]
) -> None:
    connection = await asyncpg.connect(cluster.url("scmi"))
    try:
        rows = await connection.fetch(
            """
            SELECT e.id::text AS id, e.status,
                   (SELECT count(*) FROM entry_translation t WHERE t.entry = e.id) AS translations,
                   (SELECT count(*) FROM entry_topic p WHERE p.entry = e.id) AS topics,
                   (SELECT array_agg(r.action ORDER BY r.number) FROM revision r WHERE r.entry = e.id) AS actions,
                   (SELECT min(t.title) FROM entry_translation t WHERE t.entry = e.id AND t.lang = 'en') AS title
            FROM entry e
            """
        )
    finally:
        await connection.close()
    stored = {row["id"]: row for row in rows}
    created = {a.marker: a for a in answers if a.kind == "create" and a.status == 201}
    refused = {a.marker for a in answers if a.kind == "create" and a.status != 201}
    published = {a.marker for a in answers if a.kind == "publish" and a.status == 200}
    # Every entry in the database, with no exception, is whole: both translations, its topic, a revision.
    halves = [
        dict(row) for row in rows if (row["translations"], row["topics"]) != (2, 1) or not row["actions"]
    ]
    assert halves == [], f"half-applied entries: {halves}"
    unconfirmed = 0
    for marker, answer in created.items():
        row = stored[answer.entry_id]  # type: ignore[index]
        expected = ["create", "publish"] if marker in published else ["create"]
        if list(row["actions"]) != expected and marker in in_flight:
            unconfirmed += 1  # a publish whose commit's acknowledgement was lost: whole either way
            expected = ["create", "publish"]
        assert list(row["actions"]) == expected, (marker, row)
        assert row["status"] == ("published" if expected[-1] == "publish" else "draft"), (marker, row)
    titles = {row["title"] for row in rows}
    leftovers = sorted(marker for marker in refused - in_flight if f"Outage probe {marker}" in titles)
    print(
        f"writes: {len(created)} created (of which {len(published)} published), {len(refused)} refused; "
        f"rows in the database: {len(rows)}, half-applied: {len(halves)}, left by refused writes: {len(leftovers)}, "
        f"applied with the acknowledgement lost at the stop: {unconfirmed}"
    )
    assert leftovers == []
