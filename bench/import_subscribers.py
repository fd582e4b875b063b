"""Import speed: a 100,000-row CSV (with some bad rows) into SQLite and PostgreSQL, twice each;
then the speed of the CSV export and of the suppression rule's walk over every recipient.

Run: `.venv/bin/python -m bench.import_subscribers [ROWS] [--quick]` (PostgreSQL at TEST_POSTGRES_URL
or 127.0.0.1:5432). The second run of the same file shows the cost of an idempotent re-import. The
figure for `make bench` is the first PostgreSQL import's rows per second (the best of three fresh
databases: an absolute rate on a shared machine is only as good as its quietest try).
"""

import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

from bench.table import Figure, render
from newsletters.consent import Origin
from newsletters.exporting import export_csv
from newsletters.importing import import_csv
from newsletters.subscriber_schemas import ListIn, Names
from newsletters.suppression import recipients
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine

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
        await create_list(ListIn(slug=slug, name=Names(ka=ka, en=en), public=True))
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


async def measure(rows: int, *, tries: int, verbose: bool) -> list[Figure]:
    admin_url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "subscribers.csv"
        bad = make_csv(csv_path, rows)
        if verbose:
            print(f"{rows} rows ({bad} bad), {csv_path.stat().st_size / 1e6:.1f} MB")
            await run(f"sqlite:///{folder}/bench.sqlite3", csv_path)
        rates = [
            await postgres_rate(csv_path, admin_url, extras=verbose and number == 0, quiet=not verbose)
            for number in range(tries)
        ]
    return [
        Figure(
            "import rows/s, PostgreSQL",
            max(rates),
            20_000,
            unit="rows/s",
            detail=f"{rows:,} CSV rows into a fresh database, best of {tries}: "
            + ", ".join(f"{rate:,.0f}" for rate in rates),
        )
    ]


def figures(quick: bool) -> list[Figure]:
    """The import figure for `make bench` (quick: 10,000 rows, for CI)."""
    return asyncio.run(measure(10_000 if quick else 100_000, tries=3, verbose=False))


def main() -> int:
    args = [arg for arg in sys.argv[1:] if arg.isdigit()]
    rows = int(args[0]) if args else 10_000 if "--quick" in sys.argv else 100_000
    found = asyncio.run(measure(rows, tries=3, verbose=True))
    print(render(found))
    return 0 if all(figure.holds for figure in found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
