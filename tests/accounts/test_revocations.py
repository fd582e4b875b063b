"""The revocation mark: it moves with a revoking write from another connection, and is absent while
PostgreSQL cannot be listened to."""

import asyncio
import sqlite3
import time

import asyncpg

from accounts.revocations import listening_for_revocations, revocation_mark
from accounts.staff import add_staff
from tests.conftest import Database


async def _until(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the mark did not get there in time"
        await asyncio.sleep(0.01)


async def test_a_revoking_write_elsewhere_moves_the_mark_and_others_do_not(db: Database) -> None:
    assert revocation_mark() is None  # nothing listens: nothing remembered may be believed
    await add_staff("nino@example.org", "editor", "Nino")
    async with listening_for_revocations(db.engine):
        before = revocation_mark()
        assert before is not None
        if db.backend == "sqlite":
            await asyncio.sleep(0.01)  # a later write time than the set-up's last commit
            assert revocation_mark() == before
            with sqlite3.connect(db.url.removeprefix("sqlite:///")) as connection:
                connection.execute("UPDATE staff SET role = 'admin'")
            assert revocation_mark() != before
            return
        connection = await asyncpg.connect(db.url)
        try:
            await connection.execute("UPDATE staff SET name = 'x'")  # not a revocation
            await asyncio.sleep(0.2)
            assert revocation_mark() == before
            await connection.execute("UPDATE console_session SET ended_at = now()")
            await _until(lambda: revocation_mark() != before)
            moved = revocation_mark()
            # The listener's connection cut: no mark until it listens again, then a new one.
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query LIKE 'LISTEN%' AND datname = current_database()"
            )
            await _until(lambda: revocation_mark() is None)
            await _until(lambda: revocation_mark() not in (None, moved))
        finally:
            await connection.close()
    assert revocation_mark() is None
