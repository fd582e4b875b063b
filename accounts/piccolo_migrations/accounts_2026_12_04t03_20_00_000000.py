"""PostgreSQL tells every listening process when a role, a disable or a session's end is written."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T03:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "NOTIFY scmi_staff_changed on staff role, disable and session end (PostgreSQL)"

# A trigger rather than a NOTIFY in each function: a write from anywhere (an older process, an operator's
# SQL) is heard too. Statement-level and at commit (NOTIFY is transactional), so a bulk sign-out is one
# notification. The channel is accounts.revocations.CHANNEL. SQLite needs none (see that module).
POSTGRES = [
    "CREATE OR REPLACE FUNCTION scmi_staff_changed() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN PERFORM pg_notify('scmi_staff_changed', ''); RETURN NULL; END $$",
    "CREATE TRIGGER staff_changed AFTER UPDATE OF role, disabled_at OR DELETE ON staff"
    " FOR EACH STATEMENT EXECUTE FUNCTION scmi_staff_changed()",
    "CREATE TRIGGER console_session_ended AFTER UPDATE OF ended_at OR DELETE ON console_session"
    " FOR EACH STATEMENT EXECUTE FUNCTION scmi_staff_changed()",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type == "postgres":
            for statement in POSTGRES:
                await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
