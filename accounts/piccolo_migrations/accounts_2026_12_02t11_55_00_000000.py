"""Indexes for the console's session, invite, recovery-code and throttling look-ups."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T11:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "console sign-in indexes"

STATEMENTS = [
    "CREATE INDEX console_session_staff ON console_session (staff, ended_at)",
    "CREATE INDEX staff_invite_staff ON staff_invite (staff)",
    "CREATE INDEX recovery_code_staff ON recovery_code (staff)",
    "CREATE INDEX sign_in_failure_email ON sign_in_failure (email, at)",
    "CREATE INDEX sign_in_failure_ip ON sign_in_failure (ip, at)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
