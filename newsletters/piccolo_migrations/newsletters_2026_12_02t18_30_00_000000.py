"""A POP3 bounce mailbox: the messages left there for people, so later runs do not fetch them again."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "messages kept in a POP3 bounce mailbox"

COMMON = [
    """CREATE TABLE bounce_mailbox_kept (
        id UUID PRIMARY KEY NOT NULL,
        mailbox VARCHAR(64) NOT NULL,
        uidl VARCHAR(100) NOT NULL,
        kept_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX bounce_mailbox_kept_unique ON bounce_mailbox_kept (mailbox, uidl)",
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
