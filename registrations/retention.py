"""Personal data of registrations kept only as long as needed: erased a while after the event ends."""

from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

from accounts.audit import record_write
from content.tables import Entry
from core.db import as_utc, write_transaction
from newsletters.campaigns import ledger
from registrations.tables import Registration, RegistrationMail

# The columns that name or reach a person; status, role, language and times stay for the counts.
ERASED: Final[dict[Any, Any]] = {
    Registration.email: None,
    Registration.name: "",
    Registration.organisation: "",
    Registration.outlet: "",
    Registration.token: None,
    Registration.ip: "",
    Registration.user_agent: "",
    Registration.decision_note: "",
}


async def _erase(ids: list[UUID], now: datetime) -> None:
    await Registration.update({**ERASED, Registration.erased_at: now, Registration.updated_at: now}).where(
        Registration.id.is_in(ids)
    )
    # Mails not sent by now would have nobody to go to.
    await RegistrationMail.delete().where(
        RegistrationMail.registration.is_in(ids) & RegistrationMail.sent_at.is_null()
    )
    # Nor may event mail (campaigns) go to them: their ledger rows lose address, name and link.
    await ledger.forget_many(ids)


async def erase_expired(now: datetime, days: int) -> dict[UUID, int]:
    """Erase registrations of events that ended more than `days` ago; how many per event (audited)."""
    cutoff = now - timedelta(days=days)
    ended = await Entry.select(Entry.id, Entry.starts_at, Entry.ends_at).where(
        (Entry.kind == "events") & Entry.starts_at.is_not_null() & (Entry.starts_at <= cutoff)
    )
    erased: dict[UUID, int] = {}
    for event in ended:
        end = as_utc(event["ends_at"] or event["starts_at"])
        if end is None or end > cutoff:
            continue
        async with write_transaction(Registration):
            rows = await Registration.select(Registration.id).where(
                (Registration.event == event["id"]) & Registration.erased_at.is_null()
            )
            if not rows:
                continue
            await _erase([row["id"] for row in rows], now)
            await record_write(
                staff_id=None,
                staff_email="",
                method="ERASE",
                path=f"/api/v1/events/{event['id']}/registrations",
                status=200,
                request_id="registration-retention",
                detail={"erased": len(rows), "retention_days": days, "reason": "retention"},
            )
            erased[event["id"]] = len(rows)
    return erased


async def erase_person(key: str, now: datetime, *, staff_id: UUID | None, staff_email: str) -> int:
    """Erase every registration of one address (by its keyed hash), audited; how many."""
    async with write_transaction(Registration):
        rows = await Registration.select(Registration.id).where(
            (Registration.address_key == key) & Registration.erased_at.is_null()
        )
        if rows:
            await _erase([row["id"] for row in rows], now)
            await record_write(
                staff_id=staff_id,
                staff_email=staff_email,
                method="ERASE",
                path="/api/v1/registrations",
                status=200,
                request_id="registration-erasure",
                detail={"erased": len(rows), "reason": "erasure of a person"},
            )
    return len(rows)
