"""HTTP figures: feed, lists, cursor page, search and entry by slug as ratios to a Litestar hello-world.

Data lives on PostgreSQL (a fresh database) and Redis (a random key prefix), the production stack,
with BENCH_ENTRIES (10,000) published bilingual entries (bench/seed.py). The newsroom and the
hello-world are served alike (bench/servers.py: BENCH_SERVER, BENCH_WORKERS, default what
`scmi serve` uses) and measured in one run with wrk -t2 -c32 --latency for BENCH_SECONDS (20) each,
after a warm-up, interleaved; the hello-world is measured before and after, and ratios use the
mean of the two. Then the store grows to 100,000 entries and the list figures are measured again.
Run alone: `.venv/bin/python -m bench http` (`--quick` for the CI guard's short version).
"""

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.postgres import fresh_database
from bench.seed import SEARCH_WORD, clone, titles, write_template
from bench.servers import free_port, serving
from bench.table import Figure
from bench.wrk import Run, ensure_wrk, measure
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine

FEED_PATH = "/feeds/ka/news.rss"  # Georgian text: 50 full items make about 150 KB
SCALED_ENTRIES = 100_000
REPOSITORY = Path(__file__).resolve().parent.parent


def get(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return answer.read(), {name.lower(): value for name, value in answer.headers.items()}


def get_json(url: str) -> Any:
    return json.loads(get(url)[0])


class Targets:
    """The URLs each figure requests, found and checked through the API itself."""

    def __init__(self, base: str, count: int, bare_file: Path) -> None:
        first = get_json(f"{base}/api/v1/news?lang=en")
        assert len(first["items"]) == 20, "the first page has not 20 entries"
        assert {item["lang"] for item in first["items"]} == {"en"}, "the first page mixes languages"
        cursor, page = first["next_cursor"], 1
        while page < min(50, count // 40):  # a page deep in the list, reached the way a reader would
            cursor = get_json(f"{base}/api/v1/news?lang=en&cursor={cursor}")["next_cursor"]
            page += 1
        later = get_json(f"{base}/api/v1/news?lang=en&cursor={cursor}")
        assert len(later["items"]) == 20, "the later page has not 20 entries"
        assert later["items"][0]["published_at"] < first["items"][-1]["published_at"]
        found = get_json(f"{base}/api/v1/news?lang=en&q={SEARCH_WORD}")
        assert len(found["items"]) == 20, "the search found fewer than a page"
        assert all(SEARCH_WORD in item["title"] for item in found["items"]), "the search found strangers"
        number = count // 2  # a cloned entry, not the template
        slug = get_json(f"{base}/api/v1/news?lang=en&q=no+{number}")["items"]
        title = titles(number)["en"]
        entry = get_json(f"{base}/api/v1/news/{slug[0]['slug']}") if slug else {}
        assert entry.get("title") == title, f"entry {number} is not found by its slug"
        assert {t["lang"] for t in entry["translations"]} == {"ka", "en"}, "the entry is not bilingual"
        assert entry["topics"][0]["slug"] == "emigration"
        feed, headers = get(base + FEED_PATH)
        assert feed.count(b"<item>") == 50, "the feed has not 50 items"
        bare_file.write_bytes(feed)
        self.feed_bytes = len(feed)
        self.urls: dict[str, tuple[str, dict[str, str]]] = {
            "feed": (base + FEED_PATH, {}),
            "bare": (base + "/bench/bare", {}),
            "feed_304": (base + FEED_PATH, {"If-None-Match": headers["etag"]}),
            "list": (f"{base}/api/v1/news?lang=en", {}),
            "cursor": (f"{base}/api/v1/news?lang=en&cursor={cursor}", {}),
            "search": (f"{base}/api/v1/news?lang=en&q={SEARCH_WORD}", {}),
            "slug": (f"{base}/api/v1/news/{entry['slug']}", {}),
        }
        body, _ = get(base + "/bench/bare")
        assert body == feed, "the bare route does not serve the feed's bytes"


def interleaved(runs: dict[str, tuple[str, dict[str, str]]], seconds: int) -> dict[str, Run]:
    """Warm each URL up, then measure each once, in turn, so the machine's other work hits all alike."""
    for url, headers in runs.values():
        measure(url, 2, headers)
    return {name: measure(url, seconds, headers) for name, (url, headers) in runs.items()}


async def _seed(url: str, numbers: range, template: Any = None) -> Any:
    engine = engine_from_url(url)
    bind_engine(engine)
    await prepare_engine(engine)
    try:
        if template is None:
            await migrate(quiet=True)
            template = await write_template()
        await clone(template, numbers)
        return template
    finally:
        await close_engine(engine)


def cold_start() -> float:
    """Seconds from `make run` in a fresh clone of this repository (warm package cache) to /healthz."""
    with tempfile.TemporaryDirectory(prefix="scmi-cold-") as folder:
        clone_dir = Path(folder) / "clone"
        subprocess.run(  # noqa: S603
            ["git", "clone", "-q", str(REPOSITORY), str(clone_dir)],  # noqa: S607
            check=True,
        )
        port = free_port()
        env = {**os.environ, "DATA_DIR": str(Path(folder) / "data"), "DATABASE_URL": "", "REDIS_URL": ""}
        env.pop("VIRTUAL_ENV", None)
        started = time.perf_counter()
        make = subprocess.Popen(  # noqa: S603
            ["make", "run", f"PORT={port}"],  # noqa: S607
            cwd=clone_dir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while time.perf_counter() - started < 300:
                try:
                    get(f"http://127.0.0.1:{port}/healthz")
                    return time.perf_counter() - started
                except OSError:
                    if make.poll() is not None:
                        raise RuntimeError("make run stopped before serving") from None
                    time.sleep(0.2)
            raise RuntimeError("make run was not serving after 300 s")
        finally:
            os.killpg(make.pid, 15)
            make.wait(timeout=30)


def figures(quick: bool) -> list[Figure]:
    """Every HTTP figure; quick: 1,000 entries, 3 s runs, no 100,000-entry stage, no cold start."""
    seconds = int(os.environ.get("BENCH_SECONDS") or (3 if quick else 20))
    count = int(os.environ.get("BENCH_ENTRIES") or (1_000 if quick else 10_000))
    server = os.environ.get("BENCH_SERVER", "uvicorn")
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    ensure_wrk()
    return asyncio.run(_figures(quick, seconds, count, server, workers))


async def _figures(quick: bool, seconds: int, count: int, server: str, workers: int) -> list[Figure]:
    how = f"{server}×{workers}, wrk -t2 -c32 -d{seconds}s"
    async with fresh_database() as url:
        started = time.perf_counter()
        template = await _seed(url, range(2, count + 1))
        print(f"bench http: {count:,} entries seeded in {time.perf_counter() - started:.1f} s", flush=True)
        with tempfile.TemporaryDirectory(prefix="scmi-bench-") as data, ExitStack() as stack:
            env = {
                "DATA_DIR": data,
                "DATABASE_URL": url,
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "FEED_CACHE_PREFIX": f"scmi-bench-{secrets.token_hex(4)}:",
                "PUBLIC_URL": "http://127.0.0.1",
                "BENCH_BARE_FILE": str(Path(data) / "bare.rss"),
            }

            def serve(factory: str, extra: dict[str, str], ready: str) -> str:
                return stack.enter_context(serving(factory, extra, ready, server=server, workers=workers))

            newsroom = serve("bench.apps:newsroom_with_bare_route", env, "/healthz")
            hello = serve("bench.apps:hello_world", {}, "/")
            targets = Targets(newsroom, count, Path(env["BENCH_BARE_FILE"]))
            print(f"bench http: feed {targets.feed_bytes:,} bytes; measuring ({how})", flush=True)
            runs = {"hello": (hello + "/", {}), **targets.urls, "hello_after": (hello + "/", {})}
            small = interleaved(runs, seconds)
            scaled: dict[str, Run] = {}
            if not quick:
                started = time.perf_counter()
                await _seed(url, range(count + 1, SCALED_ENTRIES + 1), template)
                print(f"bench http: grown to {SCALED_ENTRIES:,} in {time.perf_counter() - started:.1f} s")
                targets = Targets(newsroom, SCALED_ENTRIES, Path(env["BENCH_BARE_FILE"]))
                names = ("hello", "list", "cursor", "search", "hello_after")
                scaled = interleaved({name: {**runs, **targets.urls}[name] for name in names}, seconds)
    result = _http_figures(small, scaled, count, how)
    if not quick:
        result.append(Figure("cold start: make run on a fresh clone", cold_start(), 60, "s", at_least=False))
    return result


def _hello(runs: dict[str, Run]) -> Run:
    """The hello-world's figures: the mean of the runs before and after."""
    before, after = runs["hello"], runs["hello_after"]
    return Run(
        (before.requests_per_second + after.requests_per_second) / 2, (before.p99_ms + after.p99_ms) / 2
    )


def _http_figures(small: dict[str, Run], scaled: dict[str, Run], count: int, how: str) -> list[Figure]:
    hello = _hello(small)
    rate = {name: run.requests_per_second for name, run in small.items()}
    detail = f"hello {hello.requests_per_second:,.0f} req/s (mean of before/after), {count:,} entries, {how}"
    result = [
        Figure("RSS 50 items cached / bare route", rate["feed"] / rate["bare"], 0.85,
               detail=f"{rate['feed']:,.0f} vs {rate['bare']:,.0f} req/s"),
        Figure("RSS 304 / hello", rate["feed_304"] / hello.requests_per_second, 0.8, detail=detail),
        Figure("list first page / hello", rate["list"] / hello.requests_per_second, 0.5,
               detail=f"{rate['list']:,.0f} req/s"),
        Figure("list page by cursor / hello", rate["cursor"] / hello.requests_per_second, 0.25,
               detail=f"{rate['cursor']:,.0f} req/s"),
        Figure("full-text search / hello", rate["search"] / hello.requests_per_second, 0.15,
               detail=f"{rate['search']:,.0f} req/s"),
        Figure("entry by slug / hello", rate["slug"] / hello.requests_per_second, 0.5,
               detail=f"{rate['slug']:,.0f} req/s"),
    ]  # fmt: skip
    labels = {"feed": "RSS", "feed_304": "RSS 304", "list": "list first page", "cursor": "list by cursor",
              "search": "search", "slug": "entry by slug"}  # fmt: skip
    for name, label in labels.items():
        result.append(
            Figure(
                f"p99 {label} / hello p99",
                small[name].p99_ms / hello.p99_ms,
                4,
                at_least=False,
                detail=f"{small[name].p99_ms:.1f} ms vs {hello.p99_ms:.1f} ms",
            )
        )
    if scaled:
        big_hello = _hello(scaled)
        for name, label in (("list", "list first page"), ("cursor", "list by cursor"), ("search", "search")):
            before = small[name].requests_per_second / hello.requests_per_second
            after = scaled[name].requests_per_second / big_hello.requests_per_second
            result.append(
                Figure(
                    f"{label}: 100k / 10k entries",
                    after / before,
                    0.8,
                    detail=f"ratio to hello {after:.3f} at 100k, {before:.3f} at {count // 1000}k",
                )
            )
    return result


def main() -> int:
    from bench.table import render

    quick = "--quick" in sys.argv
    found = figures(quick)
    print(render(found))
    return 0 if all(f.holds_within(0.5) if quick else f.holds for f in found) else 1


if __name__ == "__main__":
    shutil.which("wrk")
    raise SystemExit(main())
