from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Outdated translations: which revision each translation was written at and against"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="content", description=DESCRIPTION)

    # Existing translations start at 0 and 0: none is outdated until a language changes.
    for column_name in ("text_revision", "source_revision"):
        manager.add_column(
            table_class_name="EntryTranslation",
            tablename="entry_translation",
            column_name=column_name,
            db_column_name=column_name,
            column_class_name="Integer",
            column_class=Integer,
            params={
                "default": 0,
                "null": False,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )

    return manager
