"""What the webhook routes take and answer."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType

Url = Annotated[str, Meta(min_length=1, max_length=2000)]
Description = Annotated[str, Meta(max_length=500)]
EventNames = Annotated[list[Annotated[str, Meta(max_length=40)]], Meta(min_length=1, max_length=10)]


class EndpointIn(Struct, forbid_unknown_fields=True):
    """An endpoint to register: where to send, which events, a note for admins."""

    url: Url
    events: EventNames
    description: Description = ""


class EndpointPatch(Struct, forbid_unknown_fields=True):
    """A change to an endpoint; `enabled: true` turns a disabled one back on."""

    url: Url | UnsetType = UNSET
    events: EventNames | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


class EndpointOut(Struct, omit_defaults=True):
    """A registered endpoint; `secret` appears only in the answer that created it."""

    id: UUID
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime
    secret: str | UnsetType = UNSET


class AttemptOut(Struct):
    """One try of a delivery."""

    number: int
    started_at: datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(Struct):
    """One event owed to an endpoint, and how sending it went."""

    id: UUID
    event_id: UUID
    type: str
    entry_id: UUID | None
    status: str
    attempts: int
    status_code: int | None
    error: str
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    log: list[AttemptOut]


class DeliveryPage(Struct):
    """A page of the delivery log, newest first."""

    items: list[DeliveryOut]
    next_cursor: str | None


class Queued(Struct):
    """A delivery made for sending by the worker."""

    delivery: DeliveryOut
