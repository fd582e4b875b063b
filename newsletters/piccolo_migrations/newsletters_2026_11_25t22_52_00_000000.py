"""Ledger indexes of the campaign engine."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T22:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "delivery uniqueness and claim indexes"

COMMON = [
    # One row per campaign and subscriber: writing the ledger twice cannot mail anyone twice.
    "CREATE UNIQUE INDEX delivery_unique ON delivery (campaign, subscriber)",
    # A batch claims the due rows of one campaign in order: a range scan.
    "CREATE INDEX delivery_due ON delivery (campaign, status, next_attempt_at)",
    "CREATE INDEX campaign_status ON campaign (status)",
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
