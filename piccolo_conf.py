"""Piccolo's configuration module: the app registry, and the engine that start-up binds.

Nothing here reads the environment: `service.database.bind_engine` replaces `DB` with the engine
built from the settings before any query runs. The default below serves Piccolo's own command line
when a developer makes a new migration.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine

DB: Engine = SQLiteEngine(path="var/piccolo-dev.sqlite3")

APP_REGISTRY = AppRegistry(
    apps=[
        "content.piccolo_app",
        "accounts.piccolo_app",
        "newsletters.piccolo_app",
        "content.webhooks.piccolo_app",
        "registrations.piccolo_app",
    ]
)
