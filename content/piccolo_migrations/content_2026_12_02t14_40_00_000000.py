"""A topic's rename time, and the indexes of the console's staff lists (newest change first)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-02T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "topic rename time; staff list indexes"

INDEXES = [
    # Each staff list walks one of these newest-change first and stops after a page.
    "CREATE INDEX entry_staff_listing ON entry (kind, updated_at, id)",
    "CREATE INDEX entry_staff_status ON entry (kind, status, updated_at, id)",
    "CREATE INDEX entry_staff_author ON entry (kind, created_by, updated_at, id)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Topic",
        tablename="topic",
        column_name="updated_at",
        db_column_name="updated_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
