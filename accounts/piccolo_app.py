"""The accounts app's Piccolo registration: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from accounts.tables import (
    ApiToken,
    AuditEvent,
    ConsoleSession,
    RecoveryCode,
    SignInFailure,
    Staff,
    StaffCredential,
    StaffInvite,
)

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Staff,
        ApiToken,
        AuditEvent,
        StaffCredential,
        StaffInvite,
        RecoveryCode,
        ConsoleSession,
        SignInFailure,
    ],
    migration_dependencies=[],
    commands=[],
)
