"""Press accreditation: an editor accepts or refuses; the accredited join the press list staff target."""

from datetime import datetime
from typing import Any, Final
from uuid import UUID

from core.db import utcnow, write_transaction
from core.errors import Conflict, NotFound
from newsletters import consent, memberships
from newsletters.consent import Origin
from newsletters.subscriptions import SUPPRESSED
from newsletters.tables import MailingList, Subscriber
from newsletters.tokens import new_subscriber_token
from registrations.places import lock_event, owe_mail
from registrations.schemas import DecisionIn
from registrations.tables import Registration

PRESS_LIST_NAMES: Final = {"ka": "აკრედიტებული ჟურნალისტები", "en": "Accredited journalists"}


async def decide(
    event_id: UUID, registration_id: UUID, data: DecisionIn, *, staff_id: UUID, press_list: str
) -> dict[str, Any]:
    """Accept or refuse a press registration awaiting a decision; the journalist is mailed the outcome."""
    now = utcnow()
    async with write_transaction(Registration):
        await lock_event(event_id)
        row = (
            await Registration.select()
            .where((Registration.id == registration_id) & (Registration.event == event_id))
            .first()
        )
        if row is None or row["erased_at"] is not None:
            raise NotFound("no such registration")
        if row["status"] != "accreditation_pending":
            raise Conflict(
                f"this registration is {row['status']}, not awaiting accreditation", field="decision"
            )
        status = "accredited" if data.decision == "accepted" else "refused"
        await Registration.update(
            {
                Registration.status: status,
                Registration.decision_note: data.note.strip(),
                Registration.decided_by: staff_id,
                Registration.decided_at: now,
                Registration.updated_at: now,
            }
        ).where(Registration.id == registration_id)
        await owe_mail(registration_id, status, now)
        if status == "accredited":
            await _join_press_list(row, press_list, staff_id, now)
        updated = await Registration.select().where(Registration.id == registration_id).first()
        assert updated is not None
        return updated


async def _press_list_id(slug: str, now: datetime) -> UUID:
    row = await MailingList.select(MailingList.id).where(MailingList.slug == slug).first()
    if row is not None:
        return UUID(str(row["id"]))
    made = MailingList(
        slug=slug,
        name_ka=PRESS_LIST_NAMES["ka"],
        name_en=PRESS_LIST_NAMES["en"],
        public=False,
        created_at=now,
    )
    await made.save()
    return UUID(str(made.id))


async def _join_press_list(row: dict[str, Any], slug: str, staff_id: UUID, now: datetime) -> None:
    """The journalist on the press list, on the basis of the accreditation; an opt-out is respected."""
    list_id = await _press_list_id(slug, now)
    basis = f"press accreditation for event {row['event']}"
    origin = Origin(source="accreditation", staff_id=staff_id)
    person = await Subscriber.select().where(Subscriber.address_key == row["address_key"]).first()
    if person is not None and person["status"] in SUPPRESSED:
        return  # they left or were erased: only they can join again
    if person is None:
        subscriber = Subscriber(
            address_key=row["address_key"],
            email=row["email"],
            name=row["name"],
            organisation=row["outlet"] or row["organisation"],
            lang=row["lang"],
            status="active",
            token=new_subscriber_token(),
            basis=basis,
            created_at=now,
            updated_at=now,
            confirmed_at=now,
        )
        await subscriber.save()
        subscriber_id = subscriber.id
    else:
        subscriber_id = person["id"]
        if person["status"] != "active":
            await Subscriber.update(
                {Subscriber.status: "active", Subscriber.confirmed_at: now, Subscriber.updated_at: now}
            ).where(Subscriber.id == subscriber_id)
    await memberships.set_status(subscriber_id, {slug: list_id}, "active", now)
    await consent.record(subscriber_id, "staff_add", origin, lang=row["lang"], lists=[slug], basis=basis)
