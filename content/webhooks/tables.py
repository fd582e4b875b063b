"""Piccolo tables of the webhooks app: endpoints, events, the ledger of deliveries owed, and attempts."""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class WebhookEndpoint(Table, tablename="webhook_endpoint"):
    """An address of the website that wants some events, with the secret deliveries are signed with."""

    id = UUID(primary_key=True)
    url = Varchar(length=2000)
    events = JSON(default=[])
    description = Varchar(length=500, default="")
    # Kept in the clear: signing needs the secret itself (shown to the admin once, never again).
    secret = Varchar(length=100)
    enabled = Boolean(default=True)
    disabled_reason = Text(default="")
    # When the endpoint's unbroken run of failures began (None: its last attempt succeeded).
    failing_since = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WebhookEvent(Table, tablename="webhook_event"):
    """Something that happened, with the payload every endpoint is sent; recorded with the change itself."""

    id = UUID(primary_key=True)
    type = Varchar(length=40)
    entry_id = UUID(null=True, default=None)
    payload = JSON(default={})
    # An embargoed publish is owed when the embargo lifts, not when the editor pressed publish.
    due_at = Timestamptz()
    created_at = Timestamptz()


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """One event owed to one endpoint: the ledger the worker (and its cron) works from."""

    id = UUID(primary_key=True)
    endpoint = ForeignKey(WebhookEndpoint, on_delete=OnDelete.cascade)
    event = ForeignKey(WebhookEvent, on_delete=OnDelete.cascade)
    # Copied from the event: deliveries of one endpoint and one entry go out in the order made.
    entry_id = UUID(null=True, default=None)
    # pending (owed), delivered, failed (retries spent), withdrawn (a later change made it moot)
    status = Varchar(length=20, default="pending")
    attempts = Integer(default=0)
    # When the next attempt is due; while an attempt runs, the end of its lease.
    next_attempt_at = Timestamptz(null=True, default=None)
    last_status_code = Integer(null=True, default=None)
    last_error = Text(default="")
    last_attempt_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class WebhookAttempt(Table, tablename="webhook_attempt"):
    """One try at a delivery: when, the answer code (or what went wrong), how long it took."""

    id = UUID(primary_key=True)
    delivery = ForeignKey(WebhookDelivery, on_delete=OnDelete.cascade)
    number = Integer()
    started_at = Timestamptz()
    status_code = Integer(null=True, default=None)
    error = Text(default="")
    duration_ms = Integer(default=0)
