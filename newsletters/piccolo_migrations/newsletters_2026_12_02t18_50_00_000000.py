"""Subscriber imports run by the worker: their progress and report."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T18:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "subscriber imports with their progress"

# The same type names on both engines: Piccolo's SQLite engine converts UUID, JSON and TIMESTAMPTZ by them.
COMMON = [
    """CREATE TABLE subscriber_import (
        id UUID PRIMARY KEY NOT NULL,
        status VARCHAR(20) NOT NULL,
        filename VARCHAR(300) NOT NULL DEFAULT '',
        basis TEXT NOT NULL,
        source VARCHAR(30) NOT NULL DEFAULT '',
        ip VARCHAR(64) NOT NULL DEFAULT '',
        user_agent TEXT NOT NULL DEFAULT '',
        staff_id UUID NULL DEFAULT NULL,
        total INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        report JSON NOT NULL DEFAULT '{}',
        error TEXT NOT NULL DEFAULT '',
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ NULL DEFAULT NULL
    )""",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="newsletters", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in COMMON:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
