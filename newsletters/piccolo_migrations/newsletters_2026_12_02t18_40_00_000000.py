"""Embargoed material for the press: who was given early access to which entry, and each opening."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T18:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "press access to embargoed entries"

# The same type names on both engines: Piccolo's SQLite engine converts UUID and TIMESTAMPTZ by them.
COMMON = [
    """CREATE TABLE press_grant (
        id UUID PRIMARY KEY NOT NULL,
        entry UUID NOT NULL,
        email VARCHAR(320) NOT NULL,
        lang VARCHAR(2) NOT NULL DEFAULT 'ka',
        subscriber UUID NULL DEFAULT NULL,
        list_slug VARCHAR(100) NOT NULL DEFAULT '',
        token_hash VARCHAR(64) NULL DEFAULT NULL UNIQUE,
        granted_by UUID NULL DEFAULT NULL,
        granted_at TIMESTAMPTZ NOT NULL,
        mailed_at TIMESTAMPTZ NULL DEFAULT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        attempted_at TIMESTAMPTZ NULL DEFAULT NULL,
        revoked_at TIMESTAMPTZ NULL DEFAULT NULL
    )""",
    # An entry's grants (staff's listing, one address once) and a subscriber's (erasure).
    "CREATE INDEX press_grant_entry ON press_grant (entry, email)",
    "CREATE INDEX press_grant_subscriber ON press_grant (subscriber)",
    # The worker's sweep of mails still owed.
    "CREATE INDEX press_grant_owed ON press_grant (mailed_at, revoked_at, attempted_at)",
    """CREATE TABLE press_opening (
        id UUID PRIMARY KEY NOT NULL,
        press_grant UUID NOT NULL REFERENCES press_grant (id) ON DELETE CASCADE,
        opened_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX press_opening_grant ON press_opening (press_grant, opened_at)",
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
