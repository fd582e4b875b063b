"""Preview links: one entry shown before it is public, to whoever holds the token."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "preview links"

STATEMENTS = [
    # The column types are the ones Piccolo declares, so SQLite's converters read them back alike.
    "CREATE TABLE preview_link ("
    "id UUID PRIMARY KEY, "
    "entry UUID NOT NULL REFERENCES entry (id) ON DELETE CASCADE, "
    "token_hash VARCHAR(64) NOT NULL UNIQUE, "
    "created_by UUID NULL, "
    "created_at TIMESTAMPTZ NOT NULL, "
    "expires_at TIMESTAMPTZ NOT NULL, "
    "revoked_at TIMESTAMPTZ NULL)",
    "CREATE INDEX preview_link_entry ON preview_link (entry)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
