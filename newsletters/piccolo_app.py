"""The newsletters app's Piccolo registration: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from newsletters.tables import (
    Campaign,
    ConsentEvent,
    Delivery,
    MailingList,
    Membership,
    Subscriber,
    Template,
)

APP_CONFIG = AppConfig(
    app_name="newsletters",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[MailingList, Subscriber, Membership, ConsentEvent, Template, Campaign, Delivery],
    migration_dependencies=[],
    commands=[],
)
