"""Bounces and complaints: the bounce table and the late outcome of a delivery."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bounce reports and late delivery outcomes"

# The same type names on both engines: Piccolo's SQLite engine converts UUID and TIMESTAMPTZ by them.
COMMON = [
    """CREATE TABLE bounce (
        id UUID PRIMARY KEY NOT NULL,
        kind VARCHAR(20) NOT NULL,
        source VARCHAR(30) NOT NULL,
        email VARCHAR(320) NOT NULL DEFAULT '',
        subscriber UUID NULL DEFAULT NULL,
        campaign UUID NULL DEFAULT NULL,
        delivery UUID NULL DEFAULT NULL,
        report_id VARCHAR(300) NULL DEFAULT NULL UNIQUE,
        reason TEXT NOT NULL DEFAULT '',
        effect VARCHAR(20) NOT NULL DEFAULT '',
        created_at TIMESTAMPTZ NOT NULL
    )""",
    # A campaign's listing, the admin's listing newest first, and the soft bounces of one person.
    "CREATE INDEX bounce_campaign ON bounce (campaign, created_at)",
    "CREATE INDEX bounce_created ON bounce (created_at)",
    "CREATE INDEX bounce_subscriber ON bounce (subscriber, kind, created_at)",
    "ALTER TABLE delivery ADD COLUMN late_outcome VARCHAR(20) NOT NULL DEFAULT ''",
    "ALTER TABLE delivery ADD COLUMN late_at TIMESTAMPTZ NULL DEFAULT NULL",
    # A report names the message it answers by Message-ID when it carries no VERP token.
    "CREATE INDEX delivery_message_id ON delivery (message_id)",
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
