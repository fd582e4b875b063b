"""Registrants who opted out of mail about their event."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T13:17:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "opting out of event mail"

STATEMENTS = ["ALTER TABLE registration ADD COLUMN event_mail_opted_out_at TIMESTAMPTZ NULL"]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registrations", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
