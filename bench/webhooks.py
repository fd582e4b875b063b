"""What webhooks add to a publish: `POST /{kind}/{id}/publish` with no endpoint and with ten, one run.

Data lives on PostgreSQL (a fresh database): drafts cloned from one the real code wrote
(bench/seed.py), an editor with an API token. The newsroom is served as `scmi serve` serves it
(bench/servers.py, no worker: deliveries stay owed, as they are when the request answers, since
they are sent by the worker, never in the request). Rounds alternate: drafts published one after
another over one kept-alive connection with no endpoint registered, then ten endpoints registered
(each wanting `entry.published`), more drafts published, the endpoints deleted. The figure is the
difference of the two medians; every publish with endpoints is checked to owe each of them one
delivery. Run alone: `.venv/bin/python -m bench webhooks` (`--quick`: fewer rounds).
"""

import asyncio
import http.client
import os
import statistics
import tempfile
import time
from contextlib import ExitStack
from typing import Final
from urllib.parse import urlsplit
from uuid import UUID

from accounts.staff import add_staff
from bench.postgres import fresh_database
from bench.seed import clone, write_template
from bench.servers import serving
from bench.table import Figure
from content.tables import Entry
from content.webhooks.endpoints import create_endpoint, delete_endpoint
from content.webhooks.events import ENTRY_PUBLISHED
from content.webhooks.schemas import EndpointIn
from content.webhooks.tables import WebhookDelivery
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine

ENDPOINTS: Final = 10
ADDED_LIMIT_MS: Final = 5.0


def publish_times(base: str, token: str, entry_ids: list[UUID]) -> list[float]:
    """Milliseconds of each publish request, one after another on one connection; each must answer 200."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    times = []
    try:
        for entry_id in entry_ids:
            started = time.perf_counter()
            connection.request("POST", f"/api/v1/news/{entry_id}/publish", body=b"{}", headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status == 200, f"publish answered {answer.status}: {body[:300]!r}"
    finally:
        connection.close()
    return times


async def _drafts(count: int) -> list[UUID]:
    """`count` news drafts, cloned from a template the real code wrote and published."""
    await clone(await write_template(), range(2, count + 2))
    await Entry.raw("UPDATE entry SET status = 'draft', published_at = NULL")
    rows = await Entry.select(Entry.id).order_by(Entry.updated_at, ascending=False)
    return [row["id"] for row in rows][:count]


async def _measure(url: str, rounds: int, per_round: int, server: str) -> tuple[list[float], list[float]]:
    engine = engine_from_url(url)
    bind_engine(engine)
    await prepare_engine(engine)
    try:
        await migrate(quiet=True)
        drafts = await _drafts(rounds * per_round * 2)
        editor = await add_staff("editor@bench.test", "editor", "Bench Editor")
        bare: list[float] = []
        hooked: list[float] = []
        with tempfile.TemporaryDirectory(prefix="scmi-bench-") as data, ExitStack() as stack:
            env = {"DATA_DIR": data, "DATABASE_URL": url, "REDIS_URL": "", "PUBLIC_URL": "http://127.0.0.1"}
            base = stack.enter_context(serving("bench.apps:newsroom", env, "/healthz", server=server))
            for round_number in range(rounds):
                start = round_number * per_round * 2
                bare += publish_times(base, editor.token, drafts[start : start + per_round])
                endpoints = [
                    await create_endpoint(
                        EndpointIn(url=f"http://127.0.0.1:9/hook/{number}", events=[ENTRY_PUBLISHED]),
                        allow_private=True,
                    )
                    for number in range(ENDPOINTS)
                ]
                with_hooks = drafts[start + per_round : start + 2 * per_round]
                hooked += publish_times(base, editor.token, with_hooks)
                owed = await WebhookDelivery.count().where(WebhookDelivery.entry_id.is_in(with_hooks))
                assert owed == ENDPOINTS * len(with_hooks), f"{owed} deliveries owed, not {ENDPOINTS} each"
                for endpoint in endpoints:
                    await delete_endpoint(endpoint.id)
        return bare, hooked
    finally:
        await close_engine(engine)


def figures(quick: bool) -> list[Figure]:
    """The webhook figure; quick: 3 rounds of 10 publishes each way, full: 6 rounds of 30."""
    rounds, per_round = (3, 10) if quick else (6, 30)
    server = os.environ.get("BENCH_SERVER", "uvicorn")
    return asyncio.run(_figures(rounds, per_round, server))


async def _figures(rounds: int, per_round: int, server: str) -> list[Figure]:
    async with fresh_database() as url:
        bare, hooked = await _measure(url, rounds, per_round, server)
    # The first publishes of a fresh server warm its caches: leave one of each way out.
    bare_ms, hooked_ms = statistics.median(bare[1:]), statistics.median(hooked[1:])
    return [
        Figure(
            f"publish with {ENDPOINTS} webhook endpoints, added",
            hooked_ms - bare_ms,
            ADDED_LIMIT_MS,
            unit="ms",
            at_least=False,
            detail=f"median {hooked_ms:.1f} vs {bare_ms:.1f} ms without endpoints; {len(bare)} publishes "
            f"each way in {rounds} alternating rounds, {server}×1",
        )
    ]
