"""Erasing a person everywhere: their subscriber record and every registration of their address."""

from uuid import UUID

from core.db import utcnow
from newsletters import subscribers
from newsletters.consent import Origin
from newsletters.tables import Subscriber
from registrations.retention import erase_person


async def erase_subscriber_everywhere(subscriber_id: UUID, *, origin: Origin, staff_email: str) -> int:
    """`subscribers.erase_subscriber`, then the registrations of the same address (by its keyed hash).

    Returns how many registrations were erased; both steps are idempotent, so a repeat completes one
    that stopped half-way.
    """
    await subscribers.erase_subscriber(subscriber_id, origin=origin)
    row = await Subscriber.select(Subscriber.address_key).where(Subscriber.id == subscriber_id).first()
    if row is None:
        return 0
    return await erase_person(row["address_key"], utcnow(), staff_id=origin.staff_id, staff_email=staff_email)
