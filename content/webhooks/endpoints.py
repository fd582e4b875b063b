"""Registering the website's endpoints: create (the secret shown once), list, read, change, delete."""

import base64
import secrets
from typing import Any
from uuid import UUID, uuid4

from msgspec import UNSET

from content.webhooks.events import EVENT_TYPES
from content.webhooks.safety import check_url
from content.webhooks.schemas import EndpointIn, EndpointOut, EndpointPatch
from content.webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.db import as_utc, utcnow, write_transaction
from core.errors import Invalid, NotFound

SECRET_PREFIX = "whsec_"  # noqa: S105 (the scheme's prefix, not a secret)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _check_events(events: list[str]) -> list[str]:
    unknown = [name for name in events if name not in EVENT_TYPES]
    if unknown:
        raise Invalid(f"unknown events {unknown}; known: {list(EVENT_TYPES)}", field="events")
    return list(dict.fromkeys(events))


def endpoint_out(row: dict[str, Any], *, secret: str | None = None) -> EndpointOut:
    """An endpoint row as admins see it (the secret only when just made)."""
    out = EndpointOut(
        id=row["id"],
        url=row["url"],
        events=list(row["events"] or []),
        description=row["description"],
        enabled=row["enabled"],
        disabled_reason=row["disabled_reason"],
        failing_since=as_utc(row["failing_since"]),
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        updated_at=as_utc(row["updated_at"]),  # type: ignore[arg-type]
    )
    if secret is not None:
        out.secret = secret
    return out


async def load_endpoint(endpoint_id: UUID) -> dict[str, Any]:
    """An endpoint row, or NotFound."""
    row = (
        await WebhookEndpoint.select(*WebhookEndpoint.all_columns())
        .where(WebhookEndpoint.id == endpoint_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return row


async def create_endpoint(data: EndpointIn, *, allow_private: bool) -> EndpointOut:
    """Register an endpoint; the answer holds its signing secret, which is never shown again."""
    events = _check_events(data.events)
    await check_url(data.url, allow_private=allow_private)
    now = utcnow()
    secret = new_secret()
    endpoint_id = uuid4()
    async with write_transaction():
        await WebhookEndpoint(
            id=endpoint_id,
            url=data.url,
            events=events,
            description=data.description,
            secret=secret,
            created_at=now,
            updated_at=now,
        ).save()
    return endpoint_out(await load_endpoint(endpoint_id), secret=secret)


async def list_endpoints() -> list[EndpointOut]:
    """Every endpoint, oldest first."""
    rows = (
        await WebhookEndpoint.select(*WebhookEndpoint.all_columns())
        .order_by(WebhookEndpoint.created_at)
        .output(load_json=True)
    )
    return [endpoint_out(row) for row in rows]


async def get_endpoint(endpoint_id: UUID) -> EndpointOut:
    """One endpoint, without its secret."""
    return endpoint_out(await load_endpoint(endpoint_id))


async def change_endpoint(endpoint_id: UUID, patch: EndpointPatch, *, allow_private: bool) -> EndpointOut:
    """Change an endpoint's address, events, description, or turn it back on (its failures forgotten)."""
    values: dict[Any, Any] = {}
    if patch.url is not UNSET:
        await check_url(patch.url, allow_private=allow_private)
        values[WebhookEndpoint.url] = patch.url
    if patch.events is not UNSET:
        values[WebhookEndpoint.events] = _check_events(patch.events)
    if patch.description is not UNSET:
        values[WebhookEndpoint.description] = patch.description
    if patch.enabled is not UNSET:
        values[WebhookEndpoint.enabled] = patch.enabled
        if patch.enabled:
            values[WebhookEndpoint.disabled_reason] = ""
            values[WebhookEndpoint.failing_since] = None
        else:
            values[WebhookEndpoint.disabled_reason] = "turned off by an admin"
    async with write_transaction():
        await load_endpoint(endpoint_id)
        if values:
            values[WebhookEndpoint.updated_at] = utcnow()
            await WebhookEndpoint.update(values).where(WebhookEndpoint.id == endpoint_id)
    return await get_endpoint(endpoint_id)


async def delete_endpoint(endpoint_id: UUID) -> None:
    """Remove an endpoint with its delivery log."""
    async with write_transaction():
        await load_endpoint(endpoint_id)
        # Explicit rather than trusting ON DELETE CASCADE, which SQLite honours only when asked to.
        deliveries = WebhookDelivery.select(WebhookDelivery.id).where(WebhookDelivery.endpoint == endpoint_id)
        await WebhookAttempt.delete().where(WebhookAttempt.delivery.is_in(deliveries))
        await WebhookDelivery.delete().where(WebhookDelivery.endpoint == endpoint_id)
        await WebhookEndpoint.delete().where(WebhookEndpoint.id == endpoint_id)
