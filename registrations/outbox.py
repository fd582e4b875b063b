"""Sending the mails registrants are owed: each claimed once, sent, and given back if sending fails."""

import logging
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

from content.kinds import DEFAULT_TIMEZONE
from content.languages import LANGUAGES
from content.tables import Entry, EntryTranslation
from core.db import as_utc, utcnow
from newsletters.mail.transport import MailTransport, send_message
from registrations.invitation import EventFacts
from registrations.messages import registration_message
from registrations.tables import Registration, RegistrationMail

logger = logging.getLogger("scmi.registrations")
BATCH: Final = 200
# A mail saying where someone stands is not sent once they stand elsewhere (mails are sent by
# concurrent jobs, in no guaranteed order: "you wait" must not arrive after "you have a place").
STANDING: Final[dict[str, str]] = {
    "registered": "registered",
    "promoted": "registered",
    "waitlisted": "waitlisted",
    "accreditation_pending": "accreditation_pending",
}
# A claimed mail not marked sent after this long (a worker died mid-send) is tried again.
CLAIM_TIMEOUT: Final = timedelta(minutes=10)
MAX_ATTEMPTS: Final = 5


async def event_facts(event_id: UUID, lang: str, public_url: str) -> EventFacts | None:
    """The event as the registrant's language tells it (the other language if theirs is missing)."""
    row = await Entry.select(*Entry.all_columns()).where(Entry.id == event_id).first()
    if row is None or row["starts_at"] is None:
        return None
    texts = {
        item["lang"]: item
        for item in await EntryTranslation.select(
            EntryTranslation.lang, EntryTranslation.title, EntryTranslation.location, EntryTranslation.slug
        ).where(EntryTranslation.entry == event_id)
    }
    chosen = lang if lang in texts else next((code for code in LANGUAGES if code in texts), None)
    if chosen is None:
        return None
    text = texts[chosen]
    return EventFacts(
        event_id=event_id,
        lang=chosen,
        title=text["title"],
        starts_at=as_utc(row["starts_at"]),  # type: ignore[arg-type]
        ends_at=as_utc(row["ends_at"]),
        timezone=row["timezone"] or DEFAULT_TIMEZONE,
        location=text["location"] or row["online_url"] or "",
        url=f"{public_url}/{chosen}/events/{text['slug']}",
        sequence=int(row["revision"]),
        cancelled=bool(row["cancelled"]),
        updated=as_utc(row["updated_at"]),  # type: ignore[arg-type]
    )


async def _claim(now: datetime) -> list[dict[str, Any]]:
    stale = now - CLAIM_TIMEOUT
    candidates = (
        await RegistrationMail.select(RegistrationMail.id, RegistrationMail.attempts)
        .where(
            RegistrationMail.sent_at.is_null()
            & (RegistrationMail.claimed_at.is_null() | (RegistrationMail.claimed_at < stale))
            & (RegistrationMail.attempts < MAX_ATTEMPTS)
            & (RegistrationMail.attempts >= 0)
        )
        .order_by(RegistrationMail.created_at)
        .limit(BATCH)
    )
    claimed = []
    for candidate in candidates:
        # Claimed by moving `attempts` from the value read: two workers never both win one mail.
        won = (
            await RegistrationMail.update(
                {RegistrationMail.attempts: candidate["attempts"] + 1, RegistrationMail.claimed_at: now}
            )
            .where(
                (RegistrationMail.id == candidate["id"])
                & (RegistrationMail.attempts == candidate["attempts"])
            )
            .returning(RegistrationMail.id)
        )
        if won:
            claimed.append(candidate)
    return claimed


async def send_owed_mails(*, transport: MailTransport, public_url: str, mail_from: str) -> int:
    """Send every owed mail (a batch at a time); the number sent."""
    sent = 0
    while True:
        now = utcnow()
        claimed = await _claim(now)
        if not claimed:
            return sent
        for item in claimed:
            if await _send_one(item["id"], transport=transport, public_url=public_url, mail_from=mail_from):
                sent += 1
        if len(claimed) < BATCH:
            return sent


async def _send_one(mail_id: UUID, *, transport: MailTransport, public_url: str, mail_from: str) -> bool:
    mail = await RegistrationMail.select().where(RegistrationMail.id == mail_id).first()
    assert mail is not None
    person = await Registration.select().where(Registration.id == mail["registration"]).first()
    facts = (
        await event_facts(person["event"], person["lang"], public_url)
        if person is not None and person["email"] and person["token"]
        else None
    )
    superseded = (
        person is not None and mail["kind"] in STANDING and STANDING[mail["kind"]] != person["status"]
    )
    if person is None or facts is None or superseded:
        # Erased, the event gone, or the news superseded: nothing to send, ever.
        await RegistrationMail.update({RegistrationMail.attempts: -1}).where(RegistrationMail.id == mail_id)
        return False
    message = registration_message(
        mail["kind"],
        facts,
        to=person["email"],
        name=person["name"],
        page_url=f"{public_url}/registrations/{person['token']}",
        mail_from=mail_from,
        note=person["decision_note"] if mail["kind"] in ("accredited", "refused") else "",
    )
    try:
        await send_message(transport, message)
    except Exception:
        logger.warning("registration mail %s not sent; tried again later", mail_id, exc_info=True)
        await RegistrationMail.update({RegistrationMail.claimed_at: None}).where(
            RegistrationMail.id == mail_id
        )
        return False
    await RegistrationMail.update({RegistrationMail.sent_at: utcnow()}).where(RegistrationMail.id == mail_id)
    return True
