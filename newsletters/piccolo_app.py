"""The newsletters app's Piccolo registration: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from newsletters.tables import (
    Bounce,
    Campaign,
    ConsentEvent,
    Delivery,
    ImportRun,
    KeptMessage,
    MailingList,
    Membership,
    PressGrant,
    PressOpening,
    Subscriber,
    Template,
)

APP_CONFIG = AppConfig(
    app_name="newsletters",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    # Children before parents: tests empty the tables in this order.
    table_classes=[
        PressOpening,
        PressGrant,
        Bounce,
        KeptMessage,
        ImportRun,
        MailingList,
        Subscriber,
        Membership,
        ConsentEvent,
        Delivery,
        Campaign,
        Template,
    ],
    migration_dependencies=[],
    commands=[],
)
