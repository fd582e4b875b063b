"""Requests per second for a cached 50-item RSS feed and its 304, against a Litestar hello-world.

Both apps are served alike (uvicorn, httptools, uvloop, one process, loopback) and measured in the
same run with wrk -t2 -c32, so the ratios say what the feed route costs beyond the server itself.
Environment: BENCH_SECONDS (default 10) per measurement.
"""

import asyncio
import os
import tempfile
import urllib.request
import uuid
from pathlib import Path

from bench.servers import serving
from bench.wrk import ensure_wrk, requests_per_second
from content.entries import create_entry
from content.publishing import publish_entry
from content.schemas import Actor, EntryIn, PublishIn, TopicIn, TranslationIn
from content.topics import create_topic
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine
from service.settings import Settings

ITEMS = 50
FEED_PATH = "/feeds/ka/news.rss"
PARAGRAPH_KA = (
    "მიგრაციის საკითხთა სამთავრობო კომისიამ განიხილა მიგრაციის სტრატეგიის სამოქმედო გეგმის "
    "შესრულების ანგარიში და დაამტკიცა მომდევნო წლის პრიორიტეტები. "
)
PARAGRAPH_EN = (
    "The State Commission on Migration Issues reviewed the report on the Migration Strategy's "
    "action plan and adopted next year's priorities. "
)


async def seed(settings: Settings) -> None:
    """A fresh database with 50 published bilingual news entries, each about 2 KB of text."""
    engine = engine_from_url(settings.resolved_database_url)
    bind_engine(engine)
    await prepare_engine(engine)
    try:
        await migrate(quiet=True)
        await create_topic(TopicIn(slug="emigration", name={"ka": "ემიგრაცია", "en": "Emigration"}))
        editor = Actor(id=uuid.uuid4(), name="Bench Editor", can_edit_any=True, can_publish=True)
        for number in range(1, ITEMS + 1):
            entry = await create_entry(
                "news",
                EntryIn(
                    translations={
                        "ka": TranslationIn(
                            title=f"კომისიის {number}-ე სხდომა",
                            summary=PARAGRAPH_KA,
                            body="\n\n".join([PARAGRAPH_KA * 2] * 3),
                        ),
                        "en": TranslationIn(
                            title=f"The Commission's sitting no. {number}",
                            summary=PARAGRAPH_EN,
                            body="\n\n".join([PARAGRAPH_EN * 2] * 3),
                        ),
                    },
                    topics=["emigration"],
                ),
                editor,
            )
            await publish_entry("news", entry.id, PublishIn(), editor)
    finally:
        await close_engine(engine)


def main() -> None:
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "2"))
    ensure_wrk()
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="scmi-bench-") as data:
        asyncio.run(seed(Settings(data_dir=Path(data))))
        newsroom_env = {
            "DATA_DIR": data,
            "PUBLIC_URL": "http://127.0.0.1",
            "DATABASE_URL": "",
            "REDIS_URL": "",
        }
        with (
            serving("bench.apps:newsroom", newsroom_env, "/healthz") as newsroom,
            serving("bench.apps:hello_world", {}, "/") as hello,
        ):
            url = newsroom + FEED_PATH
            with urllib.request.urlopen(url) as answer:  # noqa: S310 (loopback)
                body, etag = answer.read(), answer.headers["ETag"]
            print(f"feed {FEED_PATH}: {body.count(b'<item>')} items, {len(body):,} bytes, ETag {etag}")
            runs = {
                "hello": (hello + "/", {}),
                "rss_200": (url, {}),
                "rss_200_gzip": (url, {"Accept-Encoding": "gzip"}),
                "rss_304": (url, {"If-None-Match": etag}),
            }
            for target, headers in runs.values():
                requests_per_second(target, 2, headers)  # warm up
            # Interleaved rounds, best of each: other work on the machine hits every figure alike.
            for _ in range(rounds):
                for name, (target, headers) in runs.items():
                    best[name] = max(best.get(name, 0.0), requests_per_second(target, seconds, headers))
    print(
        f"wrk -t2 -c32 -d{seconds}s, best of {rounds} interleaved rounds; uvicorn httptools+uvloop, loopback"
    )
    print(f"  50-item RSS feed, cached (200): {best['rss_200']:>10,.0f} requests/s")
    print(f"  same feed, gzip (200):          {best['rss_200_gzip']:>10,.0f} requests/s")
    print(f"  same feed, If-None-Match (304): {best['rss_304']:>10,.0f} requests/s")
    print(f"  Litestar hello-world:           {best['hello']:>10,.0f} requests/s")
    print(f"  ratio feed 200 / hello-world:   {best['rss_200'] / best['hello']:.2f}")
    print(f"  ratio feed 304 / hello-world:   {best['rss_304'] / best['hello']:.2f}")
    print(f"  (ratio feed gzip / hello-world: {best['rss_200_gzip'] / best['hello']:.2f})")
