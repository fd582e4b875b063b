"""Staff and their tokens: add, list, authenticate, revoke."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

import msgspec

from accounts.roles import ROLES, Principal, Role
from accounts.tables import ApiToken, ConsoleSession, Staff
from core.db import as_utc, utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound

TOKEN_PREFIX: Final = "scmi_"  # noqa: S105 (a prefix, not a secret)
TOKEN_BYTES: Final = 32
# Recording last use on every request would make every read a write; once a minute is enough.
LAST_USED_RESOLUTION: Final = timedelta(minutes=1)


class StaffOut(msgspec.Struct):
    """A staff member as admins see them."""

    id: UUID
    email: str
    name: str
    role: str
    created_at: datetime
    disabled: bool


class TokenOut(msgspec.Struct):
    """A token's record; the secret itself is shown once, when it is made."""

    id: UUID
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewToken(msgspec.Struct):
    """A freshly made token: `token` is shown this once and never stored."""

    staff: StaffOut
    token_id: UUID
    token: str


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, enough for 256-bit random secrets."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """Staff addresses compare case-insensitively."""
    cleaned = email.strip().lower()
    local, at, domain = cleaned.partition("@")
    if not at or not local or "." not in domain or any(char.isspace() for char in cleaned):
        raise Invalid("not an email address", field="email")
    return cleaned


def _staff_out(row: Staff) -> StaffOut:
    return StaffOut(
        id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        created_at=as_utc(row.created_at),  # type: ignore[arg-type]
        disabled=row.disabled_at is not None,
    )


async def _issue_token(staff_id: UUID, label: str) -> tuple[UUID, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(staff=staff_id, token_hash=hash_token(token), label=label)
    await row.save()
    return row.id, token


async def add_staff(email: str, role: str, name: str = "") -> NewToken:
    """Add a staff member with a role and make their first token."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
    email = normalise_email(email)
    async with write_transaction(Staff):
        if await Staff.exists().where(Staff.email == email):
            raise Conflict(f"{email} is already on the staff", field="email")
        staff = Staff(email=email, role=role, name=name.strip() or email.split("@")[0])
        await staff.save()
        token_id, token = await _issue_token(staff.id, "first token")
    return NewToken(staff=_staff_out(staff), token_id=token_id, token=token)


async def issue_token(staff_id: UUID, label: str = "") -> NewToken:
    """Make another token for an existing staff member."""
    async with write_transaction(Staff):
        staff = await Staff.objects().where(Staff.id == staff_id).first()
        if staff is None:
            raise NotFound("no such staff member")
        token_id, token = await _issue_token(staff.id, label)
    return NewToken(staff=_staff_out(staff), token_id=token_id, token=token)


async def list_staff() -> list[StaffOut]:
    """Every staff member, by email."""
    return [_staff_out(row) for row in await Staff.objects().order_by(Staff.email)]


async def change_role(staff_id: UUID, role: Role, disabled: bool | None = None) -> StaffOut:
    """Change a staff member's role, or disable them (their tokens stop working)."""
    async with write_transaction(Staff):
        staff = await Staff.objects().where(Staff.id == staff_id).first()
        if staff is None:
            raise NotFound("no such staff member")
        staff.role = role
        if disabled is not None:
            staff.disabled_at = utcnow() if disabled else None
        await staff.save()
    return _staff_out(staff)


async def list_tokens(staff_id: UUID) -> list[TokenOut]:
    """A staff member's tokens, newest first."""
    rows = (
        await ApiToken.objects()
        .where(ApiToken.staff == staff_id)
        .order_by(ApiToken.created_at, ascending=False)
    )
    return [
        TokenOut(
            id=row.id,
            label=row.label,
            created_at=as_utc(row.created_at),  # type: ignore[arg-type]
            last_used_at=as_utc(row.last_used_at),
            revoked_at=as_utc(row.revoked_at),
        )
        for row in rows
    ]


async def revoke_token(token_id: UUID, staff_id: UUID | None = None) -> None:
    """Revoke a token (of the given staff member, when one is named); it stops working at once."""
    async with write_transaction(ApiToken):
        query = ApiToken.select(ApiToken.id, ApiToken.revoked_at).where(ApiToken.id == token_id)
        if staff_id is not None:
            query = query.where(ApiToken.staff == staff_id)
        row = await query.first()
        if row is None:
            raise NotFound("no such token")
        if row["revoked_at"] is None:
            await ApiToken.update({ApiToken.revoked_at: utcnow()}).where(ApiToken.id == token_id)


async def authenticate(token: str) -> Principal | None:
    """The staff member a bearer token belongs to, if it is valid, unrevoked and theirs is enabled."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.last_used_at,
            ApiToken.staff.id,
            ApiToken.staff.email,
            ApiToken.staff.name,
            ApiToken.staff.role,
            ApiToken.staff.disabled_at,
        )
        .where((ApiToken.token_hash == hash_token(token)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None or row["staff.disabled_at"] is not None:
        return None
    now = utcnow()
    last_used = as_utc(row["last_used_at"])
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return Principal(
        id=row["staff.id"],
        email=row["staff.email"],
        name=row["staff.name"],
        role=row["staff.role"],
        token_id=row["id"],
    )


async def get_staff(staff_id: UUID) -> StaffOut:
    """One staff member (NotFound when there is none with that id)."""
    row = await Staff.objects().where(Staff.id == staff_id).first()
    if row is None:
        raise NotFound("no such staff member")
    return _staff_out(row)


async def set_role(staff_id: UUID, role: str, *, by: UUID) -> StaffOut:
    """Give a staff member another role; nobody changes their own (an admin cannot lock themselves out)."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
    if staff_id == by:
        raise Conflict("you cannot change your own role", field="role")
    async with write_transaction(Staff):
        staff = await Staff.objects().where(Staff.id == staff_id).first()
        if staff is None:
            raise NotFound("no such staff member")
        staff.role = role
        await staff.save()
    return _staff_out(staff)


async def set_disabled(staff_id: UUID, disabled: bool, *, by: UUID) -> StaffOut:
    """Deactivate a staff member (every console session ends now, tokens stop working) or restore them."""
    if staff_id == by:
        raise Conflict("you cannot deactivate yourself", field="status")
    async with write_transaction(Staff):
        staff = await Staff.objects().where(Staff.id == staff_id).first()
        if staff is None:
            raise NotFound("no such staff member")
        now = utcnow()
        staff.disabled_at = now if disabled else None
        await staff.save()
        if disabled:
            # Ended, not merely refused: restoring the person later does not revive old browsers.
            await ConsoleSession.update({ConsoleSession.ended_at: now}).where(
                (ConsoleSession.staff == staff_id) & ConsoleSession.ended_at.is_null()
            )
    return _staff_out(staff)
