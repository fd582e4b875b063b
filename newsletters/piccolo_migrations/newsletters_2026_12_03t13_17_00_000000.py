"""Campaigns addressed to an audience other than lists (an event's registrants)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T13:17:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "campaign audiences other than lists"

# The same type names on both engines: Piccolo's SQLite engine converts JSON by its name.
STATEMENTS = [
    "ALTER TABLE campaign ADD COLUMN audience VARCHAR(30) NOT NULL DEFAULT ''",
    "ALTER TABLE campaign ADD COLUMN audience_spec JSON NOT NULL DEFAULT '{}'",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="newsletters", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
