"""Welcome links: inviting a staff member, and the one-time link where they set their password."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Final
from uuid import UUID

from accounts.passwords import check_new_password, hash_password
from accounts.roles import ROLES
from accounts.staff import hash_token, normalise_email
from accounts.tables import Staff, StaffCredential, StaffInvite
from core.db import as_utc, utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound

INVITE_LIFETIME: Final = timedelta(hours=72)
INVITE_PREFIX: Final = "scmiw_"


@dataclass(frozen=True, slots=True)
class Invitation:
    """A fresh invitation: `token` goes into the welcome link and is shown this once."""

    staff_id: UUID
    email: str
    role: str
    token: str


@dataclass(frozen=True, slots=True)
class Invitee:
    """Who a valid welcome link is for."""

    staff_id: UUID
    email: str
    name: str
    role: str
    lang: str


async def invite_staff(email: str, role: str, name: str = "", lang: str = "ka") -> Invitation:
    """Add a staff member (or re-invite one without a password) and make a welcome token."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
    email = normalise_email(email)
    token = INVITE_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction(Staff):
        staff = await Staff.objects().where(Staff.email == email).first()
        if staff is None:
            staff = Staff(email=email, role=role, name=name.strip() or email.split("@")[0])
            await staff.save()
        else:
            credential = await StaffCredential.objects().where(StaffCredential.staff == staff.id).first()
            if credential is not None and credential.password_hash:
                raise Conflict(f"{email} has already set a password", field="email")
            staff.role = role
            await staff.save()
        if not await StaffCredential.exists().where(StaffCredential.staff == staff.id):
            await StaffCredential(staff=staff.id, interface_lang=lang, updated_at=utcnow()).save()
        now = utcnow()
        # A new invitation voids the older ones: only the latest link works.
        await StaffInvite.update({StaffInvite.used_at: now}).where(
            (StaffInvite.staff == staff.id) & StaffInvite.used_at.is_null()
        )
        await StaffInvite(
            staff=staff.id, token_hash=hash_token(token), created_at=now, expires_at=now + INVITE_LIFETIME
        ).save()
    return Invitation(staff_id=staff.id, email=email, role=role, token=token)


async def invitee(token: str) -> Invitee:
    """Who an unspent, unexpired welcome link is for; NotFound otherwise."""
    if not token.startswith(INVITE_PREFIX) or len(token) > 100:
        raise NotFound("this welcome link is not valid")
    row = (
        await StaffInvite.select(
            StaffInvite.expires_at,
            StaffInvite.used_at,
            StaffInvite.staff.id,
            StaffInvite.staff.email,
            StaffInvite.staff.name,
            StaffInvite.staff.role,
            StaffInvite.staff.disabled_at,
        )
        .where(StaffInvite.token_hash == hash_token(token))
        .first()
    )
    expires = as_utc(row["expires_at"]) if row else None
    if row is None or row["used_at"] is not None or row["staff.disabled_at"] is not None:
        raise NotFound("this welcome link is not valid, or has been used")
    if expires is None or expires <= utcnow():
        raise NotFound("this welcome link has expired")
    credential = (
        await StaffCredential.select(StaffCredential.interface_lang)
        .where(StaffCredential.staff == row["staff.id"])
        .first()
    )
    return Invitee(
        staff_id=row["staff.id"],
        email=row["staff.email"],
        name=row["staff.name"],
        role=row["staff.role"],
        lang=credential["interface_lang"] if credential else "ka",
    )


async def accept_invite(token: str, password: str) -> Invitee:
    """Set the password behind a welcome link and spend the link; the same link never works twice."""
    person = await invitee(token)
    check_new_password(password, email=person.email, name=person.name)
    password_hash = hash_password(password)
    async with write_transaction(StaffInvite):
        spent = (
            await StaffInvite.update({StaffInvite.used_at: utcnow()})
            .where((StaffInvite.token_hash == hash_token(token)) & StaffInvite.used_at.is_null())
            .returning(StaffInvite.id)
        )
        if not spent:  # two tabs submitting at once: the first wins
            raise NotFound("this welcome link has been used")
        await StaffCredential.update(
            {StaffCredential.password_hash: password_hash, StaffCredential.updated_at: utcnow()}
        ).where(StaffCredential.staff == person.staff_id)
    return person
