"""Indexes for token look-ups and the audit log."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit and token indexes"

STATEMENTS = [
    "CREATE INDEX api_token_staff ON api_token (staff)",
    "CREATE INDEX audit_event_at ON audit_event (at, id)",
    "CREATE INDEX audit_event_staff ON audit_event (staff_id, at)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
