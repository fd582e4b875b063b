"""The registrant's side: register (double opt-in), confirm from the mailed page, cancel."""

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID, uuid4

from content.kinds import DEFAULT_TIMEZONE
from content.languages import LANGUAGES
from content.queries import find_entry_row
from content.registration_settings import closing_time, stored_settings
from content.tables import Entry, EntryTranslation
from core.db import as_utc, utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound
from newsletters.addresses import address_key, masked_address, normalise_address
from newsletters.consent import Origin
from registrations.consent import CONSENT_VERSION, consent_text
from registrations.places import allocate, fill_places, lock_event, owe_mail, set_places
from registrations.schemas import ACTIVE, RegisterIn, RegistrationState
from registrations.tables import Registration, WatchedEvent

# At most one confirmation mail per address and event in this time, however often the form is sent.
CONFIRMATION_INTERVAL: Final = timedelta(minutes=10)
TOKEN_BYTES: Final = 32


def _is_unique_violation(error: BaseException) -> bool:
    name = type(error).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(error))


def check_open(event: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The event's settings if it takes registrations now; `Conflict` saying why not otherwise."""
    settings = stored_settings(event["registration"])
    if settings is None or not settings.get("open"):
        raise Conflict("this event does not take registrations", field="event")
    if event["cancelled"]:
        raise Conflict("this event is cancelled", field="event")
    closes_at = closing_time(settings)
    if closes_at is not None and now >= closes_at:
        raise Conflict("registration for this event has closed", field="event")
    return settings


async def public_event(ref: str) -> dict[str, Any]:
    """A published event by id or slug in either language."""
    row, _ = await find_entry_row("events", ref, public=True)
    return row


async def register(
    ref: str, data: RegisterIn, *, secret_key: str, origin: Origin, retention_days: int
) -> UUID | None:
    """Record a registration and owe it a confirmation mail (at most every ten minutes).

    Returns the registration owed a mail, or None. The caller answers the same whatever happens,
    so a stranger learns nothing of who registered; nor can a stranger change a known registration.
    """
    if not data.consent:
        raise Invalid("consent must be given to register", field="consent")
    if data.role == "press" and not data.outlet.strip():
        raise Invalid("journalists name their outlet", field="outlet")
    address = normalise_address(data.email)
    event = await public_event(ref)
    settings = check_open(event, utcnow())
    if data.role == "press" and not settings.get("press"):
        raise Invalid("this event takes no press accreditation", field="role")
    try:
        return await _register(event, data, address, secret_key, origin, retention_days)
    except Exception as error:
        if not _is_unique_violation(error):
            raise
        # Two first registrations of one address at once: the loser finds the winner's row.
        return await _register(event, data, address, secret_key, origin, retention_days)


async def _register(
    event: dict[str, Any], data: RegisterIn, address: str, secret_key: str, origin: Origin, days: int
) -> UUID | None:
    key = address_key(secret_key, address)
    now = utcnow()
    async with write_transaction(Registration):
        row = (
            await Registration.select()
            .where((Registration.event == event["id"]) & (Registration.address_key == key))
            .first()
        )
        if row is not None and row["status"] not in ("pending", "cancelled", "refused"):
            return None  # registered already: the same answer, and nothing to mail
        consent = {
            Registration.consent_text: consent_text(data.lang, days),
            Registration.consent_version: CONSENT_VERSION,
            Registration.ip: origin.ip[:64],
            Registration.user_agent: origin.user_agent[:1000],
        }
        if row is None:
            registration = Registration(
                event=event["id"],
                address_key=key,
                email=address,
                name=data.name.strip(),
                organisation=data.organisation.strip(),
                outlet=data.outlet.strip(),
                lang=data.lang,
                role=data.role,
                status="pending",
                token=secrets.token_urlsafe(TOKEN_BYTES),
                created_at=now,
                updated_at=now,
                confirmation_sent_at=now,
                consent_text=consent_text(data.lang, days),
                consent_version=CONSENT_VERSION,
                ip=origin.ip[:64],
                user_agent=origin.user_agent[:1000],
            )
            await registration.save()
            await _watch(event["id"], now)
            await owe_mail(registration.id, "confirm", now)
            return registration.id
        sent_at = as_utc(row["confirmation_sent_at"])
        if sent_at is not None and now - sent_at < CONFIRMATION_INTERVAL:
            return None
        changes: dict[Any, Any] = {Registration.confirmation_sent_at: now, Registration.updated_at: now}
        if row["status"] != "pending":
            # A cancelled or refused registration starts again, with the newest details and consent.
            changes |= {
                Registration.status: "pending",
                Registration.email: address,
                Registration.name: data.name.strip(),
                Registration.organisation: data.organisation.strip(),
                Registration.outlet: data.outlet.strip(),
                Registration.lang: data.lang,
                Registration.role: data.role,
                Registration.position: None,
                Registration.cancelled_at: None,
                Registration.token: row["token"] or secrets.token_urlsafe(TOKEN_BYTES),
                **consent,
            }
        await Registration.update(changes).where(Registration.id == row["id"])
        await owe_mail(row["id"], "confirm", now)
        return UUID(str(row["id"]))


async def event_fingerprint(event_id: UUID) -> str:
    """What registrants are told of an event: its time, zone, place, online link, cancellation."""
    row = (
        await Entry.select(Entry.starts_at, Entry.ends_at, Entry.timezone, Entry.online_url, Entry.cancelled)
        .where(Entry.id == event_id)
        .first()
    )
    places = await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.location).where(
        EntryTranslation.entry == event_id
    )
    if row is None:
        return ""
    facts = [
        str(as_utc(row["starts_at"])),
        str(as_utc(row["ends_at"])),
        row["timezone"] or DEFAULT_TIMEZONE,
        row["online_url"] or "",
        bool(row["cancelled"]),
        sorted((place["lang"], place["location"] or "") for place in places),
    ]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


async def _watch(event_id: UUID, now: datetime) -> None:
    """Remember what registrants of the event are told now, once (the first registration)."""
    fingerprint = await event_fingerprint(event_id)
    await WatchedEvent.raw(
        "INSERT INTO registration_watched_event (id, event, fingerprint, checked_at)"
        " VALUES ({}, {}, {}, {}) ON CONFLICT (event) DO NOTHING",
        uuid4(),
        event_id,
        fingerprint,
        now,
    )


async def registration_by_token(token: str) -> dict[str, Any]:
    """The registration a link token belongs to; `NotFound` for an unknown or erased one."""
    if not 20 <= len(token) <= 64:
        raise NotFound("this link is not valid")
    row: dict[str, Any] | None = await Registration.select().where(Registration.token == token).first()
    if row is None or row["erased_at"] is not None:
        raise NotFound("this link is not valid")
    return row


async def state_of(token: str) -> RegistrationState:
    """What the registrant's page shows."""
    row = await registration_by_token(token)
    event = await Entry.select(Entry.starts_at, Entry.timezone).where(Entry.id == row["event"]).first()
    titles = {
        item["lang"]: item["title"]
        for item in await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.title).where(
            EntryTranslation.entry == row["event"]
        )
    }
    lang = row["lang"]
    waiting = None
    if row["status"] == "waitlisted":
        ahead = await Registration.count().where(
            (Registration.event == row["event"])
            & (Registration.status == "waitlisted")
            & (Registration.position < row["position"])
        )
        waiting = ahead + 1
    return RegistrationState(
        # `confirming` lasts only until the places are given out: to the registrant, still pending.
        status="pending" if row["status"] == "confirming" else row["status"],
        role=row["role"],
        lang=lang,
        token=row["token"],
        address=masked_address(row["email"] or ""),
        event_id=row["event"],
        event_title=titles.get(lang) or next((titles[code] for code in LANGUAGES if code in titles), ""),
        starts_at=as_utc(event["starts_at"]) if event else None,
        timezone=(event or {}).get("timezone") or DEFAULT_TIMEZONE,
        waiting_position=waiting,
    )


async def confirm(token: str) -> RegistrationState:
    """Confirm (the page's POST): a place in confirmation order, the waiting list, or press review.

    Two steps: this registration is marked `confirming` (its own row only), then the places are
    given out under the event's lock to every confirming registration at once (`places.allocate`).
    Confirming twice changes nothing. A full event without a waiting list is a `Conflict`, and the
    registration stays pending (it may be confirmed if a place frees).
    """
    now = utcnow()
    found = await registration_by_token(token)
    if found["status"] == "pending":
        event = (
            await Entry.select(Entry.registration, Entry.cancelled).where(Entry.id == found["event"]).first()
        )
        if event is None:
            raise NotFound("this link is not valid")
        check_open(event, now)
        async with write_transaction(Registration):
            await Registration.update(
                {
                    Registration.status: "confirming",
                    Registration.confirmed_at: now,
                    Registration.updated_at: now,
                }
            ).where((Registration.id == found["id"]) & (Registration.status == "pending"))
    await allocate(found["event"], now)
    state = await state_of(token)
    if found["status"] == "pending" and state.status == "pending":
        raise Conflict("this event is full", field="event")
    return state


async def cancel(registration_id: UUID, *, event_id: UUID | None = None) -> list[UUID]:
    """Cancel a registration (its owner's page, or staff); a freed place goes to the first waiting.

    Returns who was promoted. Cancelling twice changes nothing.
    """
    now = utcnow()
    found = await Registration.select(Registration.event).where(Registration.id == registration_id).first()
    if found is None or (event_id is not None and found["event"] != event_id):
        raise NotFound("no such registration")
    async with write_transaction(Registration):
        event = await lock_event(found["event"])
        row = await Registration.select().where(Registration.id == registration_id).first()
        if row is None or row["status"] not in ACTIVE | {"pending", "confirming"}:
            return []
        await Registration.update(
            {Registration.status: "cancelled", Registration.cancelled_at: now, Registration.updated_at: now}
        ).where(Registration.id == registration_id)
        if row["status"] not in ("pending", "confirming"):
            await owe_mail(registration_id, "cancelled", now)
        if row["status"] == "registered":
            event["places_taken"] = max(int(event["places_taken"]) - 1, 0)
            await set_places(event["id"], event["places_taken"], now)
        return await fill_places(event, now)


async def cancel_by_token(token: str) -> RegistrationState:
    """The registrant's own cancellation (a POST from their page)."""
    row = await registration_by_token(token)
    await cancel(row["id"])
    return await state_of(token)
