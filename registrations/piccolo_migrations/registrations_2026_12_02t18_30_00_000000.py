"""Registrations, the mails they are owed, and the events whose changes registrants are told of."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "event registrations"

STATEMENTS = [
    # The column types are the ones Piccolo declares, so SQLite's converters read them back alike.
    "CREATE TABLE registration ("
    "id UUID PRIMARY KEY, "
    "event UUID NOT NULL REFERENCES entry (id) ON DELETE CASCADE, "
    "address_key VARCHAR(64) NOT NULL, "
    "email VARCHAR(320) NULL, "
    "name VARCHAR(200) NOT NULL DEFAULT '', "
    "organisation VARCHAR(300) NOT NULL DEFAULT '', "
    "outlet VARCHAR(300) NOT NULL DEFAULT '', "
    "lang VARCHAR(2) NOT NULL DEFAULT 'ka', "
    "role VARCHAR(20) NOT NULL DEFAULT 'participant', "
    "status VARCHAR(30) NOT NULL DEFAULT 'pending', "
    "token VARCHAR(64) NULL UNIQUE, "
    "position BIGINT NULL, "
    "consent_text TEXT NOT NULL DEFAULT '', "
    "consent_version VARCHAR(20) NOT NULL DEFAULT '', "
    "ip VARCHAR(64) NOT NULL DEFAULT '', "
    "user_agent TEXT NOT NULL DEFAULT '', "
    "decision_note TEXT NOT NULL DEFAULT '', "
    "decided_by UUID NULL, "
    "created_at TIMESTAMPTZ NOT NULL, "
    "updated_at TIMESTAMPTZ NOT NULL, "
    "confirmation_sent_at TIMESTAMPTZ NULL, "
    "confirmed_at TIMESTAMPTZ NULL, "
    "decided_at TIMESTAMPTZ NULL, "
    "cancelled_at TIMESTAMPTZ NULL, "
    "checked_in_at TIMESTAMPTZ NULL, "
    "reminded_at TIMESTAMPTZ NULL, "
    "erased_at TIMESTAMPTZ NULL)",
    # One registration per address and event: two sign-ups at once clash here, not in a duplicate.
    "CREATE UNIQUE INDEX registration_unique ON registration (event, address_key)",
    "CREATE INDEX registration_event_status ON registration (event, status, position)",
    "CREATE TABLE registration_mail ("
    "id UUID PRIMARY KEY, "
    "registration UUID NOT NULL REFERENCES registration (id) ON DELETE CASCADE, "
    "kind VARCHAR(30) NOT NULL, "
    "created_at TIMESTAMPTZ NOT NULL, "
    "claimed_at TIMESTAMPTZ NULL, "
    "sent_at TIMESTAMPTZ NULL, "
    "attempts INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX registration_mail_unsent ON registration_mail (sent_at, created_at)",
    "CREATE TABLE registration_watched_event ("
    "id UUID PRIMARY KEY, "
    "event UUID NOT NULL UNIQUE REFERENCES entry (id) ON DELETE CASCADE, "
    "fingerprint VARCHAR(64) NOT NULL, "
    "checked_at TIMESTAMPTZ NOT NULL)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="registrations", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
