"""The PostgreSQL query plans of the public reads at 100,000 entries: `python -m bench plans`.

It seeds a fresh database as bench/http.py does, runs each read (first page, a page by cursor, a
search, an entry by slug) through the real code with Piccolo's query log caught, and prints
`EXPLAIN ANALYZE` of every statement it ran. The README's performance section quotes its output.
"""

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from bench.postgres import fresh_database
from bench.seed import SEARCH_WORD, clone, titles, write_template
from content import queries
from content.slugs import slugify
from service.database import bind_engine, close_engine, migrate, prepare_engine


class CatchingEngine(PostgresEngine):
    """A PostgreSQL engine whose query log keeps the statements instead of printing them."""

    caught: list[str] = []

    def print_query(self, query_id: int, query: str) -> None:
        self.caught.append(query)


async def plans(url: str, count: int) -> None:
    engine = CatchingEngine(config={"dsn": url})
    caught = engine.caught
    bind_engine(engine)
    await prepare_engine(engine)
    try:
        await migrate(quiet=True)
        await clone(await write_template(), range(2, count + 1))
        first = await queries.list_entries("news", "en")
        assert first.next_cursor is not None
        reads: dict[str, Callable[[], Awaitable[Any]]] = {
            "first page (20 entries, en)": lambda: queries.list_entries("news", "en"),
            "a page by cursor": lambda: queries.list_entries("news", "en", cursor=first.next_cursor),
            f"search {SEARCH_WORD!r}": lambda: queries.list_entries("news", "en", q=SEARCH_WORD),
            "entry by slug": lambda: queries.get_entry(
                "news", slugify(titles(count // 2)["en"]), None, "en", staff=False
            ),
        }
        connection = await asyncpg.connect(url)
        try:
            for name, read in reads.items():
                caught.clear()
                engine.log_queries = True
                await read()
                engine.log_queries = False
                print(f"\n## {name}: {len(caught)} statements")
                for statement in caught:
                    plan = await connection.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}")
                    print(f"\n{statement}\n" + "\n".join("  " + row[0] for row in plan))
        finally:
            await connection.close()
    finally:
        await close_engine(engine)


async def amain(count: int) -> None:
    async with fresh_database() as url:
        await plans(url, count)


def main() -> int:
    counts = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    asyncio.run(amain(counts[0] if counts else int(os.environ.get("BENCH_ENTRIES") or 100_000)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
