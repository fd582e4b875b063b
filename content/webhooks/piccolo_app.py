"""The webhooks app's Piccolo registration: its tables and migrations."""

import os

from piccolo.conf.apps import AppConfig

from content.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

APP_CONFIG = AppConfig(
    app_name="webhooks",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    # Children before parents: tests empty the tables in this order.
    table_classes=[WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookEndpoint],
    migration_dependencies=[],
    commands=[],
)
