"""Build the Piccolo engine from the settings, bind every table to it, and migrate."""

import asyncio
import contextlib
import io
import logging
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

import piccolo_conf

POOL_CLOSE_SECONDS = 10
logger = logging.getLogger("scmi.database")


class DatabaseUrlError(ValueError):
    """DATABASE_URL names no database this service can use."""


def engine_from_url(url: str, *, log_sql: bool = False) -> Engine[Any]:
    """An engine for `sqlite:///path` or `postgresql://user@host:port/db`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///var/db is relative to the working directory, sqlite:////srv/db absolute.
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        # A long busy timeout: writers queue behind IMMEDIATE transactions instead of failing.
        return SQLiteEngine(path=path or "scmi.sqlite3", log_queries=log_sql, timeout=30)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": url}, log_queries=log_sql)
    raise DatabaseUrlError(
        f"DATABASE_URL must start with sqlite:/// or postgresql:// (got {parsed.scheme!r})"
    )


def bind_engine(engine: Engine[Any]) -> None:
    """Make every table of every app (and Piccolo's migration table) use this engine."""
    piccolo_conf.DB = engine
    for app_config in piccolo_conf.APP_REGISTRY.app_configs.values():
        for table in app_config.table_classes:
            table._meta.db = engine
    Migration._meta.db = engine


async def _keep_session(_: Any) -> None:
    """Nothing to undo when a connection goes back to the pool (see prepare_engine)."""


async def prepare_engine(engine: Engine[Any]) -> None:
    """Open what the engine needs: a pool on PostgreSQL, WAL mode on SQLite."""
    if isinstance(engine, PostgresEngine):
        # asyncpg's default reset sends `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
        # after every query taken from the pool: a second round trip for each read. Nothing here
        # leaves session state behind (advisory locks and SET are transaction-scoped, no LISTEN, no
        # cursors outside transactions); an open transaction is still rolled back by asyncpg itself.
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_keep_session)
    elif isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def close_engine(engine: Engine[Any]) -> None:
    """Close the pool, if any, within POOL_CLOSE_SECONDS; then drop whatever connections are left.

    asyncpg's close waits for every connection to come back. After PostgreSQL went away, one can be
    left half-restored (the pool refilling its floor), and a stopping process then waited forever.
    """
    if not isinstance(engine, PostgresEngine) or engine.pool is None:
        return
    try:
        await asyncio.wait_for(engine.close_connection_pool(), POOL_CLOSE_SECONDS)
    except TimeoutError:
        # Cancelling Pool.close() terminates the pool (asyncpg's own rule); say so and move on.
        logger.warning(
            "database pool did not close within %ss; its connections were dropped", POOL_CLOSE_SECONDS
        )
        engine.pool.terminate()
        engine.pool = None


async def migrate(*, quiet: bool = False) -> None:
    """Apply every app's pending migrations to the bound database."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{output.getvalue()}")
