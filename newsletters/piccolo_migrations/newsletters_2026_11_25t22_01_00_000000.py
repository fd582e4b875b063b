"""Composite and search indexes of the newsletters app."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T22:01:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "membership uniqueness and lookup indexes"

COMMON = [
    "CREATE UNIQUE INDEX membership_unique ON membership (subscriber, mailing_list)",
    "CREATE INDEX membership_list_status ON membership (mailing_list, status)",
    # (status, id): pages of one status in id order are a range scan, not a sort of the whole table.
    "CREATE INDEX subscriber_status ON subscriber (status, id)",
    "CREATE INDEX subscriber_email ON subscriber (email)",
    "CREATE INDEX consent_event_subscriber ON consent_event (subscriber, created_at)",
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
