"""Transactions and engine facts shared by the domain packages."""

from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from content.tables import Entry


def write_transaction(table: type[Table] = Entry) -> AbstractAsyncContextManager[Any]:
    """A transaction for writes: IMMEDIATE on SQLite, so two writers queue instead of deadlocking."""
    engine = table._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    transaction: AbstractAsyncContextManager[Any] = engine.transaction()
    return transaction


def is_sqlite(table: type[Table] = Entry) -> bool:
    """Whether the tables are bound to SQLite (else PostgreSQL)."""
    return table._meta.db.engine_type == "sqlite"


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
