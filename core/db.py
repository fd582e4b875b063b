"""Transactions and engine facts shared by the domain packages."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

import piccolo_conf

# Called after every committed write transaction of this process: caches of what the public sees
# (service/content_watch.py) drop their version at once instead of waiting for their next check.
_write_listeners: list[Callable[[], None]] = []


def on_committed_write(listener: Callable[[], None]) -> Callable[[], None]:
    """Call `listener` after each outermost write transaction commits; returns the way to stop."""
    _write_listeners.append(listener)
    return lambda: _write_listeners.remove(listener) if listener in _write_listeners else None


def _engine(table: type[Table] | None) -> Any:
    # Start-up binds one engine to every table and to piccolo_conf.DB (service.database.bind_engine).
    return piccolo_conf.DB if table is None else table._meta.db


def _open_transaction(engine: Any) -> AbstractAsyncContextManager[Any]:
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    transaction: AbstractAsyncContextManager[Any] = engine.transaction()
    return transaction


@asynccontextmanager
async def write_transaction(table: type[Table] | None = None) -> AsyncIterator[Any]:
    """A transaction for writes: IMMEDIATE on SQLite, so two writers queue instead of deadlocking."""
    engine = _engine(table)
    outermost = engine.current_transaction.get() is None
    async with _open_transaction(engine) as transaction:
        yield transaction
    if outermost:
        for listener in list(_write_listeners):
            listener()


def is_sqlite(table: type[Table] | None = None) -> bool:
    """Whether the tables are bound to SQLite (else PostgreSQL)."""
    return bool(_engine(table).engine_type == "sqlite")


def utcnow() -> datetime:
    """The current time in UTC, to the microsecond, as every stored time is."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite may hand back a naive one)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
