"""Cross-kind search (`GET /api/v1/search`) at 100,000 entries as a ratio to the hello-world.

Data lives on PostgreSQL (a fresh database): BENCH_SEARCH_ENTRIES (100,000) published bilingual
entries cloned from one the real code wrote (bench/seed.py), spread over the four kinds. The
requests turn over many searches, not one hot URL: each of the titles' twenty subjects in Georgian
and English, Georgian in several case forms (განათლება, განათლების, განათლებაზე) and English
inflections, alone or with a second word, in one language, in both, and narrowed to a kind; each
is checked first to find a full page of entries that hold the word. Served and measured as
bench/console.py does (wrk -t2 -c32, hello-world before and after, the ratio to their mean).
Run alone: `.venv/bin/python -m bench search` (`--quick`: 5,000 entries, short runs).
"""

import asyncio
import json
import os
import tempfile
import time
from contextlib import ExitStack
from typing import Final
from urllib.parse import quote, unquote

from bench.console import fetch, measure_paths
from bench.postgres import fresh_database
from bench.seed import SUBJECTS_EN, SUBJECTS_KA, clone, write_template
from bench.servers import serving
from bench.table import Figure
from bench.wrk import ensure_wrk
from content.search import query_terms
from content.tables import Entry
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine

SEARCH_TARGET: Final = 0.15
# Spread the entries (each a minute apart) over the four kinds, as bench/console.py does.
SPREAD: Final = (
    "UPDATE entry SET kind = CASE (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 13 % 4"
    " WHEN 1 THEN 'events' WHEN 2 THEN 'announcements' WHEN 3 THEN 'materials' ELSE 'news' END",
    "UPDATE entry_translation AS t SET kind = e.kind FROM entry AS e WHERE e.id = t.entry",
    "UPDATE entry_slug AS s SET kind = e.kind FROM entry AS e WHERE e.id = s.entry",
    "ANALYZE",
)
KINDS_ASKED: Final = ("news", "events", "announcements", "materials")


def georgian_forms(word: str) -> list[str]:
    """A Georgian noun as written, in the genitive and with -ზე ("on"): the forms readers type.

    Nouns in -ა keep it before -ზე (განათლებაზე), nouns in -ი drop it (ვიზებზე); both drop it
    before the genitive's -ის (განათლების, ვიზების).
    """
    base = word[:-1] if word[-1] in "აი" else word
    return [word, base + "ის", (word if word.endswith("ა") else base) + "ზე"]


def english_forms(word: str) -> list[str]:
    """An English word as written and with a plural or -ing ending the search cuts off again."""
    return [word, word + ("es" if word.endswith("s") else "s")]


def searches() -> list[str]:
    """The query strings the run turns over: every subject, several forms, languages and kinds."""
    asked: list[str] = []
    for number, (ka, en) in enumerate(zip(SUBJECTS_KA, SUBJECTS_EN, strict=True)):
        kind = KINDS_ASKED[number % len(KINDS_ASKED)]
        for form in georgian_forms(ka):
            asked.append(f"q={quote(form)}&lang=ka")
        asked.append(f"q={quote('სხდომაზე ' + ka)}")
        asked.append(f"q={quote(ka)}&kind={kind}")
        for form in english_forms(en):
            asked.append(f"q={quote(form)}&lang=en")
        asked.append(f"q={quote('sittings ' + en)}&lang=en")
        asked.append(f"q={quote(en)}&kind={kind}")
    return [f"/api/v1/search?{query}" for query in asked]


def checked(base: str, paths: list[str]) -> list[str]:
    """`paths`, each checked to answer a full page of hits whose titles hold the words asked."""
    for path in paths:
        status, body = fetch(base + path)
        assert status == 200, f"{path}: {status}"
        found = json.loads(body)
        assert len(found["items"]) == 20, f"{path} found {len(found['items'])} entries"
        query = path.partition("q=")[2].partition("&")[0]
        words = query_terms(unquote(query))
        for item in found["items"]:
            text = (item["title"] + " " + item["summary"]).lower()
            assert all(word in text for word in words), f"{path} found {item['title']!r}"
    return paths


async def _seed(url: str, count: int) -> None:
    engine = engine_from_url(url)
    bind_engine(engine)
    await prepare_engine(engine)
    try:
        await migrate(quiet=True)
        await clone(await write_template(), range(2, count + 1))
        for statement in SPREAD:
            await Entry.raw(statement)
    finally:
        await close_engine(engine)


def figures(quick: bool) -> list[Figure]:
    """The search figure; quick: 5,000 entries and 3 s runs."""
    seconds = int(os.environ.get("BENCH_SECONDS") or (3 if quick else 20))
    count = int(os.environ.get("BENCH_SEARCH_ENTRIES") or (5_000 if quick else 100_000))
    server = os.environ.get("BENCH_SERVER", "uvicorn")
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    ensure_wrk()
    return asyncio.run(_figures(seconds, count, server, workers))


async def _figures(seconds: int, count: int, server: str, workers: int) -> list[Figure]:
    how = f"{server}×{workers}, wrk -t2 -c32 -d{seconds}s"
    async with fresh_database() as url:
        started = time.perf_counter()
        await _seed(url, count)
        print(f"bench search: {count:,} entries seeded in {time.perf_counter() - started:.1f} s", flush=True)
        with tempfile.TemporaryDirectory(prefix="scmi-bench-") as data, ExitStack() as stack:
            env = {"DATA_DIR": data, "DATABASE_URL": url, "REDIS_URL": "", "PUBLIC_URL": "http://127.0.0.1"}
            newsroom = stack.enter_context(
                serving("bench.apps:newsroom", env, "/healthz", server=server, workers=workers)
            )
            hello = stack.enter_context(
                serving("bench.apps:hello_world", {}, "/", server=server, workers=workers)
            )
            paths = checked(newsroom, searches())
            print(f"bench search: {len(paths)} searches; measuring ({how})", flush=True)
            measure_paths(hello, ["/"], "", 2)  # warm-up
            measure_paths(newsroom, paths, "", 2)
            before = measure_paths(hello, ["/"], "", seconds)
            found = measure_paths(newsroom, paths, "", seconds)
            after = measure_paths(hello, ["/"], "", seconds)
    hello_rate = (before.requests_per_second + after.requests_per_second) / 2
    rate = found.requests_per_second
    return [
        Figure(
            "cross-kind search / hello",
            rate / hello_rate,
            SEARCH_TARGET,
            detail=f"{rate:,.0f} vs {hello_rate:,.0f} req/s, p99 {found.p99_ms:,.0f} ms; {count:,} entries, "
            f"{len(paths)} searches, {how}",
        )
    ]
