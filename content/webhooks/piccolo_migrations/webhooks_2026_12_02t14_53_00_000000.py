"""Indexes of the webhook ledger."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T14:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhook ledger indexes"

COMMON = [
    # The sweep reads what is owed and due: a range scan over pending rows.
    "CREATE INDEX webhook_delivery_owed ON webhook_delivery (status, next_attempt_at)",
    # The delivery log of one endpoint, newest first.
    "CREATE INDEX webhook_delivery_log ON webhook_delivery (endpoint, created_at)",
    "CREATE INDEX webhook_event_entry ON webhook_event (entry_id, due_at)",
    "CREATE INDEX webhook_attempt_delivery ON webhook_attempt (delivery, number)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in COMMON:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
