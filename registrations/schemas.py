"""The shapes registrations take in and give out: msgspec structures, validated on decode."""

from datetime import datetime
from typing import Annotated, Final, Literal
from uuid import UUID

from msgspec import Meta, Struct

from content.languages import Lang

Role = Literal["participant", "press"]
Decision = Literal["accepted", "refused"]
Status = Literal[
    "pending", "registered", "waitlisted", "accreditation_pending", "accredited", "refused", "cancelled"
]
STATUSES: Final = (
    "pending", "registered", "waitlisted", "accreditation_pending", "accredited", "refused", "cancelled",
)  # fmt: skip
# Who is still expected at the event (and told of its changes).
ATTENDING: Final = frozenset({"registered", "accredited"})
ACTIVE: Final = frozenset({"registered", "waitlisted", "accreditation_pending", "accredited"})


class RegisterIn(Struct, forbid_unknown_fields=True):
    """A registration for one event; `consent` to this event's use of the data is required."""

    email: Annotated[str, Meta(min_length=1, max_length=320)]
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    consent: bool
    organisation: Annotated[str, Meta(max_length=300)] = ""
    lang: Lang = "ka"
    role: Role = "participant"
    outlet: Annotated[str, Meta(max_length=300)] = ""


class RegistrationState(Struct):
    """What the registrant's own page shows: no address beyond a masked one, no one else's data."""

    status: str
    role: str
    lang: str
    token: str
    address: str
    event_id: UUID
    event_title: str
    starts_at: datetime | None
    timezone: str
    # Their place in the waiting list (1 is next), while they wait.
    waiting_position: int | None = None


class RegistrationOut(Struct):
    """One registration as staff see it."""

    id: UUID
    status: str
    role: str
    lang: str
    email: str | None
    name: str
    organisation: str
    outlet: str
    created_at: datetime
    confirmed_at: datetime | None
    decided_at: datetime | None
    decision_note: str
    checked_in_at: datetime | None
    erased: bool


class RegistrationList(Struct):
    """The registrations of an event (a complete list), with counts by status and places."""

    items: list[RegistrationOut]
    counts: dict[str, int]
    capacity: int | None
    places_taken: int
    next_cursor: str | None = None


class DecisionIn(Struct, forbid_unknown_fields=True):
    """An editor's accreditation decision, with an optional note mailed to the journalist."""

    decision: Decision
    note: Annotated[str, Meta(max_length=2_000)] = ""
