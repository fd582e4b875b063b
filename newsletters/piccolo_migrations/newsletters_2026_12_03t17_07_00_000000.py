"""Trigram indexes for the subscriber search (PostgreSQL) and a partial index of complaints (both)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T17:07:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "subscriber search trigram indexes, delivery complaints index"

# A campaign's complaints are counted on every progress refresh; few rows carry one, so the partial
# index is small and the count one probe.
COMMON = [
    "CREATE INDEX delivery_complaints ON delivery (campaign) WHERE late_outcome = 'complaint'",
]
# The search matches `%typed%` anywhere in the address, name or organisation (ILIKE): only trigram
# indexes serve that; each column has its own, and the planner ORs their bitmaps. SQLite scans.
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX subscriber_email_trgm ON subscriber USING gin (email gin_trgm_ops)",
    "CREATE INDEX subscriber_name_trgm ON subscriber USING gin (name gin_trgm_ops)",
    "CREATE INDEX subscriber_organisation_trgm ON subscriber USING gin (organisation gin_trgm_ops)",
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
