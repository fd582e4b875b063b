"""Registration speed: 1,000 people confirming at once for a 100-place event on PostgreSQL, places exact.

Run: `.venv/bin/python -m bench.registrations [--quick]` (PostgreSQL at TEST_POSTGRES_URL or
127.0.0.1:5432). The 1,000 registrations are made first (pending, as after their sign-up); then every
confirmation runs at once through the domain's `confirm` (the event's row lock, the place or the
waiting list, the owed mail), on the service's pool of 10 connections. The figures: confirmations per
second (issue 21's absolute target; the best of three fresh databases), whether exactly 100 hold
places and 900 wait with positions 1..1,000, and, measured in the same run, the ratio to a bare
asyncpg loop doing the least such a confirmation must (lock the event row, count, update the person
and the counter, in one transaction per person) on the same pool size. The CI guard (`--quick`, 300
people for 30 places) judges the ratio and the exactness only: on a busy machine both rates slow down
together, the absolute one alone.
"""

import asyncio
import sys
import time
from uuid import uuid4

import asyncpg

from bench.postgres import fresh_database
from bench.table import Figure, render
from content.schemas import Actor, EntryIn, PublishIn, RegistrationIn, TranslationIn
from core.db import utcnow
from newsletters.consent import Origin
from registrations import signup
from registrations.schemas import RegisterIn
from registrations.tables import Registration
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine

RATE_TARGET = 200.0
# The domain's confirmation does more than the bare loop (the settings, the position, the owed mail,
# the state read back, Piccolo's query building): measured 0.17 at 1,000 people for 100 places
# (2026-12-02, the bare loop at 1,183/s) and 0.29-0.40 in quick runs on a loaded machine. The target
# sits below the lowest, so that the CI guard (half of it) catches a return to one lock per person.
RATIO_TARGET = 0.15
SECRET = "bench-secret-key-bench-secret-key"  # noqa: S105 (a throwaway database's key)


async def _event(capacity: int) -> str:
    from content.entries import create_entry
    from content.publishing import publish_entry

    actor = Actor(id=uuid4(), name="Bench", can_edit_any=True, can_publish=True)
    entry = await create_entry(
        "events",
        EntryIn(
            translations={"en": TranslationIn(title=f"Bench sitting {uuid4().hex[:6]}")},
            starts_at=utcnow().replace(year=2035),
            registration=RegistrationIn(open=True, capacity=capacity, waitlist=True),
        ),
        actor,
    )
    await publish_entry("events", entry.id, PublishIn(), actor)
    return str(entry.id)


async def _domain_rate(people: int, capacity: int) -> tuple[float, bool, str]:
    event_id = await _event(capacity)
    for number in range(people):
        await signup.register(
            event_id,
            RegisterIn(email=f"person{number}@example.ge", name=f"Person {number}", consent=True),
            secret_key=SECRET,
            origin=Origin(source="bench"),
            retention_days=90,
        )
    tokens = [row["token"] for row in await Registration.select(Registration.token)]
    started = time.perf_counter()
    await asyncio.gather(*(signup.confirm(token) for token in tokens))
    elapsed = time.perf_counter() - started
    rows = await Registration.select(Registration.status, Registration.position).order_by(
        Registration.position
    )
    statuses = [row["status"] for row in rows]
    exact = statuses == ["registered"] * capacity + ["waitlisted"] * (people - capacity) and [
        row["position"] for row in rows
    ] == list(range(1, people + 1))
    detail = f"{statuses.count('registered')} registered, {statuses.count('waitlisted')} waiting"
    return people / elapsed, exact, detail


async def _bare_rate(url: str, people: int, capacity: int) -> float:
    """The least a confirmation must do, in plain asyncpg: lock, count, update the person and the counter."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=10)
    assert pool is not None
    try:
        async with pool.acquire() as connection:
            await connection.execute(
                "CREATE TABLE bare_event (id int PRIMARY KEY, taken int NOT NULL, capacity int NOT NULL);"
                "CREATE TABLE bare_person (id int PRIMARY KEY, status text NOT NULL, position int);"
            )
            await connection.execute("INSERT INTO bare_event VALUES (1, 0, $1)", capacity)
            await connection.executemany(
                "INSERT INTO bare_person VALUES ($1, 'pending', NULL)", [(n,) for n in range(people)]
            )

        async def confirm(person: int) -> None:
            async with pool.acquire() as connection, connection.transaction():
                event = await connection.fetchrow(
                    "SELECT taken, capacity FROM bare_event WHERE id = 1 FOR UPDATE"
                )
                position = await connection.fetchval("SELECT COALESCE(MAX(position), 0) + 1 FROM bare_person")
                status = "registered" if event["taken"] < event["capacity"] else "waitlisted"
                await connection.execute(
                    "UPDATE bare_person SET status = $1, position = $2 WHERE id = $3",
                    status,
                    position,
                    person,
                )
                if status == "registered":
                    await connection.execute("UPDATE bare_event SET taken = taken + 1 WHERE id = 1")

        started = time.perf_counter()
        await asyncio.gather(*(confirm(person) for person in range(people)))
        return people / (time.perf_counter() - started)
    finally:
        await pool.close()


async def _one_try(people: int, capacity: int) -> tuple[float, bool, str, float]:
    async with fresh_database() as url:
        engine = engine_from_url(url)
        bind_engine(engine)
        await prepare_engine(engine)
        try:
            await migrate(quiet=True)
            rate, exact, detail = await _domain_rate(people, capacity)
        finally:
            await close_engine(engine)
        bare = await _bare_rate(url, people, capacity)
    return rate, exact, detail, bare


async def measure(people: int, capacity: int, tries: int) -> list[Figure]:
    results = [await _one_try(people, capacity) for _ in range(tries)]
    best = max(results, key=lambda result: result[0])
    rate, _, detail, bare = best
    exact = all(result[1] for result in results)
    return [
        Figure(
            f"registrations: {people:,} confirmations, {capacity} places (PostgreSQL)",
            rate,
            RATE_TARGET,
            unit="/s",
            detail=f"best of {tries} fresh databases; {detail}",
        ),
        Figure(
            "registrations: places exact under concurrency (1 = yes)",
            1.0 if exact else 0.0,
            1.0,
            unit="",
            detail=f"every try: {capacity} hold places, the rest wait, positions without gaps",
        ),
        Figure(
            "registrations: confirmations / bare asyncpg lock-and-count",
            rate / bare,
            RATIO_TARGET,
            detail=f"bare loop {bare:,.0f}/s on the same pool size",
        ),
    ]


def figures(quick: bool) -> list[Figure]:
    """The registration figures for `make bench`; quick (for CI): exactness and the same-run ratio."""
    if quick:
        return asyncio.run(measure(300, 30, tries=1))[1:]
    return asyncio.run(measure(1_000, 100, tries=3))


def main() -> int:
    quick = "--quick" in sys.argv
    found = asyncio.run(measure(300, 30, 1) if quick else measure(1_000, 100, 3))
    print(render(found))
    return 0 if all(figure.holds for figure in found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
