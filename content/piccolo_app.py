"""The content app's Piccolo registration: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from content.tables import (
    Entry,
    EntryAttachment,
    EntryComment,
    EntrySlug,
    EntryTopic,
    EntryTranslation,
    MediaAsset,
    PreviewLink,
    Revision,
    Topic,
)

APP_CONFIG = AppConfig(
    app_name="content",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Topic,
        Entry,
        EntryTranslation,
        EntrySlug,
        EntryTopic,
        EntryAttachment,
        Revision,
        EntryComment,
        MediaAsset,
        PreviewLink,
    ],
    migration_dependencies=[],
    commands=[],
)
