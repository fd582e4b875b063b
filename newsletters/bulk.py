"""Bulk inserts for imports: `executemany` on SQLite, binary COPY on PostgreSQL, in the open transaction.

Piccolo builds one query string per row object, which caps a large import at a few hundred rows a
second; the drivers' own bulk paths take tens of thousands. Values go in as the drivers expect them
(Piccolo's SQLite adapters for UUID and datetime are registered globally; JSON goes in as text).
"""

from collections.abc import Sequence
from typing import Any

from piccolo.table import Table


async def bulk_insert(table: type[Table], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert `rows` (tuples in `columns` order) inside the caller's write transaction."""
    if not rows:
        return
    engine = table._meta.db
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk_insert must run inside a write transaction")
    name = table._meta.tablename
    if engine.engine_type == "sqlite":
        marks = ", ".join("?" for _ in columns)
        await transaction.connection.executemany(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 (our own names)
            rows,
        )
    else:
        await transaction.connection.copy_records_to_table(name, records=rows, columns=list(columns))


async def select_in(
    table: type[Table], columns: Sequence[str], key_column: str, keys: Sequence[Any]
) -> list[dict[str, Any]]:
    """Rows whose `key_column` is one of `keys`, inside the caller's transaction.

    Piccolo compiles an IN list of thousands of values in time that grows with its square; the
    drivers take the list as it is (one array parameter on PostgreSQL).
    """
    if not keys:
        return []
    engine = table._meta.db
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("select_in must run inside a transaction")
    selected = ", ".join(columns)
    name = table._meta.tablename
    if engine.engine_type == "sqlite":
        marks = ", ".join("?" for _ in keys)
        cursor = await transaction.connection.execute(
            f"SELECT {selected} FROM {name} WHERE {key_column} IN ({marks})",  # noqa: S608 (our own names)
            list(keys),
        )
        rows = await cursor.fetchall()
        await cursor.close()
        # Piccolo's SQLite connections hand rows back as dicts already.
        return [row if isinstance(row, dict) else dict(zip(columns, row, strict=True)) for row in rows]
    records = await transaction.connection.fetch(
        f"SELECT {selected} FROM {name} WHERE {key_column} = ANY($1)",  # noqa: S608 (our own names)
        list(keys),
    )
    return [dict(record) for record in records]
