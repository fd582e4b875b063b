"""Indexes Piccolo cannot declare (composite, unique) and the full-text index of each engine."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes and full-text search"

COMMON = [
    "CREATE UNIQUE INDEX entry_slug_unique ON entry_slug (kind, lang, slug)",
    "CREATE INDEX entry_slug_entry ON entry_slug (entry)",
    "CREATE UNIQUE INDEX entry_translation_unique ON entry_translation (entry, lang)",
    "CREATE INDEX entry_translation_listing ON entry_translation (kind, lang)",
    "CREATE INDEX entry_listing ON entry (kind, status, published_at, id)",
    "CREATE INDEX entry_starts ON entry (kind, starts_at)",
    "CREATE INDEX entry_due ON entry (status, publish_at)",
    "CREATE UNIQUE INDEX entry_topic_unique ON entry_topic (entry, topic)",
    "CREATE INDEX entry_topic_topic ON entry_topic (topic)",
    "CREATE INDEX entry_attachment_entry ON entry_attachment (entry, position)",
    "CREATE INDEX entry_attachment_asset ON entry_attachment (asset_id)",
    "CREATE UNIQUE INDEX revision_number ON revision (entry, number)",
]

SQLITE = [
    # unicode61 splits Georgian words correctly; queries match stems as prefixes (content.search).
    "CREATE VIRTUAL TABLE entry_search USING fts5("
    "search_text, translation_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
]

POSTGRES = [
    # PostgreSQL has no Georgian stemmer: the `simple` configuration with prefix queries does the work.
    "CREATE INDEX entry_translation_search ON entry_translation "
    "USING gin (to_tsvector('simple', search_text))",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        specific = SQLITE if engine.engine_type == "sqlite" else POSTGRES
        for statement in COMMON + specific:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
