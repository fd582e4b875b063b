"""The registrations app's Piccolo registration: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from registrations.tables import Registration, RegistrationMail, WatchedEvent

APP_CONFIG = AppConfig(
    app_name="registrations",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    # Children before parents: tests empty the tables in this order.
    table_classes=[RegistrationMail, Registration, WatchedEvent],
    migration_dependencies=["content.piccolo_app"],
    commands=[],
)
