from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Integer, Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Event registration: the settings, the places taken and when they last changed"

PARAMS = {
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)
    for name, column_class, params in (
        ("registration", JSON, {"default": None, "null": True}),
        ("places_taken", Integer, {"default": 0, "null": False}),
        ("places_changed_at", Timestamptz, {"default": None, "null": True}),
    ):
        manager.add_column(
            table_class_name="Entry",
            tablename="entry",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params={**PARAMS, **params},
            schema=None,
        )
    return manager
