"""An event's registration settings as stored on the entry, and the places left that the public sees."""

import json
from datetime import datetime
from typing import Any

from content.schemas import RegistrationIn, RegistrationOut
from core.db import as_utc
from core.errors import Invalid


def stored_settings(value: Any) -> dict[str, Any] | None:
    """The settings column as a dict (SQLite and unloaded selects hand back JSON text), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else None
    return dict(value) if isinstance(value, dict) else None


def settings_column(data: RegistrationIn | None) -> str | None:
    """The column's value for settings given through the API (None: the event takes no registrations)."""
    if data is None:
        return None
    closes_at = as_utc(data.closes_at)
    return json.dumps(
        {
            "open": data.open,
            "capacity": data.capacity,
            "closes_at": closes_at.isoformat() if closes_at is not None else None,
            "waitlist": data.waitlist,
            "press": data.press,
        },
        sort_keys=True,
    )


def closing_time(settings: dict[str, Any]) -> datetime | None:
    """When registration closes, as an aware UTC time."""
    text = settings.get("closes_at")
    return as_utc(datetime.fromisoformat(text)) if isinstance(text, str) else None


def check_capacity(new: str | None, places_taken: int) -> None:
    """Lowering the capacity never removes anyone silently: not below the places already held."""
    settings = stored_settings(new)
    capacity = settings.get("capacity") if settings else None
    if isinstance(capacity, int) and capacity < places_taken:
        raise Invalid(
            f"{places_taken} people hold places: the capacity cannot be lower; cancel registrations first",
            field="registration.capacity",
        )


def registration_out(value: Any, places_taken: int) -> RegistrationOut | None:
    """The settings with the places left (None for no limit); no personal data."""
    settings = stored_settings(value)
    if settings is None:
        return None
    capacity = settings.get("capacity")
    return RegistrationOut(
        open=bool(settings.get("open")),
        capacity=capacity if isinstance(capacity, int) else None,
        closes_at=closing_time(settings),
        waitlist=bool(settings.get("waitlist")),
        press=bool(settings.get("press")),
        places_left=max(capacity - places_taken, 0) if isinstance(capacity, int) else None,
    )
