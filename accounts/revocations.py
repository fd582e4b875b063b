"""Sign-outs, disables and role changes made by other processes, heard at once: a mark that moves with them.

A console session verified in this process is remembered (see `console_sessions`), so that a page costs
no session query. This mark says when to stop believing it because of a write made elsewhere: another
API process, a worker, `scmi staff` on the command line, an operator's SQL.

- PostgreSQL: triggers on `staff` and `console_session` (migration accounts_2026_12_04t03_20) send a
  NOTIFY on this channel when a role, a disable or a session's end is written; this process LISTENs on a
  connection of its own, and each notification moves the mark. While that connection is down (the
  database went away) there is no mark, and every request asks the database.
- SQLite: only processes on this machine share the file, and any commit changes the write time of the
  database or its WAL; the mark is those times (two `stat` calls), so any write anywhere moves it.
"""

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Hashable
from typing import Any, Final

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

CHANNEL: Final = "scmi_staff_changed"
RECONNECT_SECONDS: Final = 1.0
logger = logging.getLogger(__name__)


class _Watch:
    """What this process knows: the SQLite files to look at, or how many notifications it has heard."""

    def __init__(self) -> None:
        self.sqlite_files: tuple[str, ...] = ()
        self.listening = False
        self.heard = 0


_watch = _Watch()


def revocation_mark() -> Hashable | None:
    """A value that changes whenever another process may have revoked a session; None when it cannot
    be told (nothing listening), so that nothing remembered is believed."""
    if _watch.sqlite_files:
        return tuple(_write_time(path) for path in _watch.sqlite_files)
    return _watch.heard if _watch.listening else None


def _write_time(path: str) -> tuple[int, int]:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_size)


@contextlib.asynccontextmanager
async def listening_for_revocations(engine: Engine[Any]) -> AsyncIterator[None]:
    """Keep the mark moving while the block runs (an app's lifespan, with the app's engine)."""
    if isinstance(engine, SQLiteEngine):
        _watch.sqlite_files = (engine.path, f"{engine.path}-wal")
        try:
            yield
        finally:
            _watch.sqlite_files = ()
        return
    assert isinstance(engine, PostgresEngine), engine  # the only other engine service.database makes
    dsn: str = engine.config["dsn"]
    first_try = asyncio.Event()
    listener = asyncio.create_task(_listen(dsn, first_try), name="revocation-listener")
    await first_try.wait()
    try:
        yield
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener


async def _listen(database_url: str, first_try: asyncio.Event) -> None:
    """LISTEN on a connection of its own; connect again after losing it, believing nothing meanwhile."""
    while True:
        connection: Any = None
        try:
            connection = await asyncpg.connect(database_url)
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _connection, event=lost: event.set())
            await connection.add_listener(CHANNEL, _heard_one)
            _watch.heard += 1  # what happened while nobody listened is unknown: believe nothing older
            _watch.listening = True
            first_try.set()
            await lost.wait()
            logger.warning("the revocation listener lost its database connection; reconnecting")
        except (OSError, asyncpg.PostgresError) as error:
            logger.warning("the revocation listener cannot listen (%s); reconnecting", error)
        finally:
            _watch.listening = False
            if connection is not None and not connection.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.close(timeout=2))
        first_try.set()
        await asyncio.sleep(RECONNECT_SECONDS)


def _heard_one(*_: object) -> None:
    _watch.heard += 1
