"""Import speed: a 100,000-row CSV (with some bad rows) into SQLite and PostgreSQL, twice each;
then the speed of the CSV export and of the suppression rule's walk over every recipient.

Run: `.venv/bin/python -m bench.import_subscribers [ROWS] [--quick]` (PostgreSQL at TEST_POSTGRES_URL
or 127.0.0.1:5432). The second run of the same file shows the cost of an idempotent re-import. The
figures for `make bench` are the first PostgreSQL import's rows per second (issue 9's absolute target;
the best of three fresh databases: an absolute rate on a shared machine is only as good as its quietest
try) and, measured in the same run, its ratio to a bare asyncpg loop that reads the same file and
COPYs the same rows into the same tables of a fresh database with no checks at all. The CI guard
(`--quick`) judges the ratio only: on a busy machine both slow down together, the absolute rate alone.
"""

import asyncio
import csv
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
from asyncpg.pool import Pool

from bench.table import Figure, render
from newsletters.consent import Origin
from newsletters.exporting import export_csv
from newsletters.importing import (
    CHUNK_ROWS,
    EVENT_COLUMNS,
    MEMBERSHIP_COLUMNS,
    SUBSCRIBER_COLUMNS,
    import_csv,
)
from newsletters.subscriber_schemas import ListIn, ListNames
from newsletters.suppression import recipients
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine

# Somewhat below what 20,000 rows/s (issue 9's target) is of the bare loop on a quiet 2-core machine
# (20,000-29,000 rows/s there): the ratio guards against regressions, the absolute figure stays the target.
IMPORT_RATIO_TARGET = 0.5
GEORGIAN_NAMES = ["ნინო ბერიძე", "გიორგი მაისურაძე", "თამარ კაპანაძე", "ლევან ჯავახიშვილი"]


def make_csv(path: Path, rows: int, *, bad_every: int = 1000) -> int:
    """Write `rows` data rows, every `bad_every`-th bad and every 997th a duplicate; returns the bad count."""
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("email,name,organisation,lang,lists\r\n")
        for number in range(1, rows + 1):
            if number % bad_every == 0:
                bad += 1
                out.write(f"broken-{number}@,Nobody,,ka,press\r\n")
            elif number % 997 == 0:
                bad += 1
                out.write(f"person{number - 1}@example.ge,Again,,ka,press\r\n")
            else:
                name = GEORGIAN_NAMES[number % len(GEORGIAN_NAMES)]
                lang = "ka" if number % 3 else "en"
                lists = "press;partners" if number % 5 == 0 else "press"
                out.write(f'person{number}@example.ge,"{name}","Org {number % 50}",{lang},{lists}\r\n')
    return bad


async def run(url: str, csv_path: Path, *, extras: bool = True, quiet: bool = False) -> float:
    engine = engine_from_url(url)
    bind_engine(engine)
    await prepare_engine(engine)
    await migrate(quiet=True)
    from newsletters.lists import create_list

    for slug, ka, en in [("press", "პრესა", "Press"), ("partners", "პარტნიორები", "Partners")]:
        await create_list(ListIn(slug=slug, name=ListNames(ka=ka, en=en), public=True))
    first_rate = 0.0
    for attempt in ("first", "again") if extras else ("first",):
        started = time.perf_counter()
        with csv_path.open(encoding="utf-8", newline="") as text:
            report = await import_csv(
                text,
                secret_key="bench",  # noqa: S106 (a throwaway key for throwaway data)
                basis="bench agreement",
                origin=Origin(source="bench"),
            )
        seconds = time.perf_counter() - started
        first_rate = first_rate or report.rows / seconds
        if quiet:
            continue
        print(
            f"{engine.engine_type:<9} {attempt:<6} rows {report.rows} created {report.created} "
            f"unchanged {report.unchanged} refused {report.refused} in {seconds:.1f} s = "
            f"{report.rows / seconds:,.0f} rows/s"
        )
    if not extras:
        await close_engine(engine)
        return first_rate
    started = time.perf_counter()
    exported = sum([chunk.count(b"\n") async for chunk in export_csv()]) - 1
    seconds = time.perf_counter() - started
    speed = exported / seconds
    print(f"{engine.engine_type:<9} export {exported} rows in {seconds:.1f} s = {speed:,.0f} rows/s")
    started = time.perf_counter()
    mailable = len([person async for person in recipients(["press", "partners"])])
    seconds = time.perf_counter() - started
    print(
        f"{engine.engine_type:<9} recipients {mailable} in {seconds:.1f} s = {mailable / seconds:,.0f} rows/s"
    )
    await close_engine(engine)
    return first_rate


async def postgres_rate(csv_path: Path, admin_url: str, *, extras: bool, quiet: bool) -> float:
    """The first import's rows per second into a fresh PostgreSQL database."""
    name = f"scmi_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return await run(admin_url.rpartition("/")[0] + f"/{name}", csv_path, extras=extras, quiet=quiet)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def bare_rate(csv_path: Path, admin_url: str) -> float:
    """Rows per second of the least an import must do: read the file, COPY its rows, chunk by chunk.

    The same fresh, migrated database and the same three tables as the real import, the same chunk
    size, two chunks written at once; no checks, no duplicate or suppression look-ups.
    """
    name = f"scmi_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rpartition("/")[0] + f"/{name}"
    try:
        engine = engine_from_url(url)
        bind_engine(engine)
        await prepare_engine(engine)
        await migrate(quiet=True)
        from newsletters.lists import create_list

        await create_list(ListIn(slug="press", name=ListNames(ka="პრესა", en="Press"), public=True))
        await close_engine(engine)
        pool: Pool = await asyncpg.create_pool(url, min_size=2, max_size=2)
        try:
            list_id = await pool.fetchval("SELECT id FROM mailing_list WHERE slug = 'press'")
            started = time.perf_counter()
            rows = 0
            writing: list[asyncio.Task[None]] = []
            with csv_path.open(encoding="utf-8", newline="") as text:
                reader = csv.reader(text)
                next(reader)
                chunk: list[list[str]] = []
                for cells in reader:
                    rows += 1
                    chunk.append(cells)
                    if len(chunk) == CHUNK_ROWS:
                        if len(writing) == 2:
                            await writing.pop(0)
                        writing.append(asyncio.create_task(_copy_chunk(pool, chunk, list_id)))
                        chunk = []
                if chunk:
                    writing.append(asyncio.create_task(_copy_chunk(pool, chunk, list_id)))
                for task in writing:
                    await task
            return rows / (time.perf_counter() - started)
        finally:
            await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _copy_chunk(pool: Pool, chunk: list[list[str]], list_id: UUID) -> None:
    now = datetime.now(UTC)
    subscribers, places, events = [], [], []
    for number, (email, name, organisation, lang, _lists) in enumerate(chunk):
        subscriber_id = uuid4()
        address = f"{number}-{email.lower()}"  # every row new, as most rows of the real file are
        subscribers.append(
            (subscriber_id, address, address, name, organisation, lang, "active", secrets.token_urlsafe(24),
             "bench", now, now, now)
        )  # fmt: skip
        places.append((uuid4(), subscriber_id, list_id, "active", now, now, now))
        events.append(
            (uuid4(), subscriber_id, "import", now, "bench", "", "", '["press"]', lang, "", "", "bench",
             None)
        )  # fmt: skip
    async with pool.acquire() as connection, connection.transaction():
        await connection.copy_records_to_table("subscriber", records=subscribers, columns=SUBSCRIBER_COLUMNS)
        await connection.copy_records_to_table("membership", records=places, columns=MEMBERSHIP_COLUMNS)
        await connection.copy_records_to_table("consent_event", records=events, columns=EVENT_COLUMNS)


async def measure(rows: int, *, tries: int, verbose: bool) -> list[Figure]:
    admin_url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "subscribers.csv"
        bad = make_csv(csv_path, rows)
        if verbose:
            print(f"{rows} rows ({bad} bad), {csv_path.stat().st_size / 1e6:.1f} MB")
            await run(f"sqlite:///{folder}/bench.sqlite3", csv_path)
        rates: list[float] = []
        bare: list[float] = []
        for number in range(tries):
            # Interleaved, so that a busy moment of the machine weighs on both alike.
            rates.append(
                await postgres_rate(csv_path, admin_url, extras=verbose and number == 0, quiet=not verbose)
            )
            bare.append(await bare_rate(csv_path, admin_url))
    ratio = max(rates) / max(bare)
    pairs = ", ".join(f"{ours:,.0f}/{theirs:,.0f}" for ours, theirs in zip(rates, bare, strict=True))
    return [
        Figure(
            "import rows/s, PostgreSQL",
            max(rates),
            20_000,
            unit="rows/s",
            detail=f"{rows:,} CSV rows into a fresh database, best of {tries}: "
            + ", ".join(f"{rate:,.0f}" for rate in rates),
        ),
        Figure(
            "import / bare COPY of the same rows",
            ratio,
            IMPORT_RATIO_TARGET,
            detail=f"best of {tries} each, {rows:,} rows (import/bare rows/s: {pairs})",
        ),
    ]


def figures(quick: bool) -> list[Figure]:
    """The import figures for `make bench`; quick (10,000 rows, for CI): the same-run ratio only."""
    found = asyncio.run(measure(10_000 if quick else 100_000, tries=3, verbose=False))
    return found[1:] if quick else found


def main() -> int:
    args = [arg for arg in sys.argv[1:] if arg.isdigit()]
    rows = int(args[0]) if args else 10_000 if "--quick" in sys.argv else 100_000
    found = asyncio.run(measure(rows, tries=3, verbose=True))
    print(render(found))
    return 0 if all(figure.holds for figure in found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
