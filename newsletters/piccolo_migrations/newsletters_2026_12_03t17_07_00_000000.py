"""A trigram-indexed search column of subscribers (PostgreSQL) and a partial index of complaints (both)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T17:07:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "subscriber search column with a trigram index, delivery complaints index"

# A campaign's complaints are counted on every progress refresh; few rows carry one, so the partial
# index is small and the count one probe.
COMMON = [
    "CREATE INDEX delivery_complaints ON delivery (campaign) WHERE late_outcome = 'complaint'",
]
# The search matches `%typed%` anywhere in the address, name or organisation: only a trigram index
# serves that. One lowered column of the three (kept by PostgreSQL itself) takes one index, a plain
# LIKE (no per-row lowering), and statistics fine enough for the planner to tell a rare fragment
# (walk the index's matches) from a common one (walk the ids, stopping after a page). SQLite scans.
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE subscriber ADD COLUMN search_text TEXT GENERATED ALWAYS AS"
    " (lower(coalesce(email, '') || E'\\n' || name || E'\\n' || organisation)) STORED",
    "CREATE INDEX subscriber_search_trgm ON subscriber USING gin (search_text gin_trgm_ops)",
    "ALTER TABLE subscriber ALTER COLUMN search_text SET STATISTICS 1000",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="newsletters", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        statements = COMMON if engine.engine_type == "sqlite" else COMMON + POSTGRES
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
