"""Signing in to the console: password, then the second factor, throttled per account and address."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Literal
from uuid import UUID

from accounts.console_sessions import forget_verified_sessions
from accounts.passwords import DUMMY_HASH, hash_password, needs_rehash, password_matches
from accounts.second_factor import accepted_step, hash_recovery_code, new_recovery_codes
from accounts.staff import normalise_email
from accounts.tables import RecoveryCode, SignInFailure, Staff, StaffCredential
from core.db import utcnow, write_transaction
from core.errors import DomainError, Invalid

THROTTLE_WINDOW: Final = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT: Final = 5
MAX_FAILURES_PER_ADDRESS: Final = 20

Next = Literal["signed_in", "second_factor", "set_up_second_factor"]


class Throttled(DomainError):
    """Too many failed sign-ins for this account or from this address: wait, then try again."""


class SignInRefused(DomainError):
    """The address, password or code is wrong (which one is never said)."""


@dataclass(frozen=True, slots=True)
class PasswordAccepted:
    """The password was right; what the person must do before the console opens."""

    staff_id: UUID
    email: str
    next: Next


async def _throttle(email: str, ip: str) -> None:
    since = utcnow() - THROTTLE_WINDOW
    by_account = await SignInFailure.count().where(
        (SignInFailure.email == email) & (SignInFailure.at > since)
    )
    by_address = (
        await SignInFailure.count().where((SignInFailure.ip == ip) & (SignInFailure.at > since)) if ip else 0
    )
    if by_account >= MAX_FAILURES_PER_ACCOUNT or by_address >= MAX_FAILURES_PER_ADDRESS:
        raise Throttled("too many failed attempts: wait 15 minutes and try again")


async def record_failure(email: str, ip: str) -> None:
    """Count one failed attempt against the account and the address."""
    await SignInFailure(at=utcnow(), email=email[:320], ip=ip[:64]).save()


async def check_password(email: str, password: str, *, ip: str) -> PasswordAccepted:
    """The first step: Throttled, SignInRefused, or who it is and which step comes next."""
    try:
        email = normalise_email(email)
    except Invalid:
        email = email.strip().lower()[:320]
    await _throttle(email, ip)
    row = (
        await StaffCredential.select(
            StaffCredential.password_hash,
            StaffCredential.totp_secret,
            StaffCredential.staff.id,
            StaffCredential.staff.role,
            StaffCredential.staff.disabled_at,
        )
        .where(StaffCredential.staff.email == email)
        .first()
    )
    stored = row["password_hash"] if row and row["staff.disabled_at"] is None else ""
    # Verify against a dummy hash when there is no account, so that timing tells nothing.
    matches = password_matches(stored or DUMMY_HASH, password) and bool(stored)
    if not matches or row is None:
        await record_failure(email, ip)
        raise SignInRefused("the address or the password is wrong")
    if needs_rehash(stored):
        await StaffCredential.update({StaffCredential.password_hash: hash_password(password)}).where(
            StaffCredential.staff == row["staff.id"]
        )
    if row["totp_secret"]:
        step: Next = "second_factor"
    elif row["staff.role"] == "admin":
        step = "set_up_second_factor"
    else:
        step = "signed_in"
    return PasswordAccepted(staff_id=row["staff.id"], email=email, next=step)


async def check_second_factor(staff_id: UUID, code: str, *, ip: str) -> None:
    """The second step: a TOTP code (each accepted once) or an unused recovery code."""
    staff = await Staff.select(Staff.email).where(Staff.id == staff_id).first()
    email = staff["email"] if staff else ""
    await _throttle(email, ip)
    async with write_transaction(StaffCredential):
        row = (
            await StaffCredential.select(StaffCredential.totp_secret, StaffCredential.totp_last_step)
            .where(StaffCredential.staff == staff_id)
            .first()
        )
        if row is not None and row["totp_secret"]:
            step = accepted_step(row["totp_secret"], code, row["totp_last_step"])
            if step is not None:
                await StaffCredential.update({StaffCredential.totp_last_step: step}).where(
                    StaffCredential.staff == staff_id
                )
                return
            used = (
                await RecoveryCode.update({RecoveryCode.used_at: utcnow()})
                .where(
                    (RecoveryCode.staff == staff_id)
                    & (RecoveryCode.code_hash == hash_recovery_code(code))
                    & RecoveryCode.used_at.is_null()
                )
                .returning(RecoveryCode.id)
            )
            if used:
                return
    await record_failure(email, ip)
    raise SignInRefused("the code is wrong or has been used")


async def enable_second_factor(staff_id: UUID, secret: str, code: str) -> list[str]:
    """Turn TOTP on once the person proves their app shows the right code; new recovery codes."""
    step = accepted_step(secret, code, 0)
    if step is None:
        raise Invalid("the code does not match: check the time on your phone and try again", field="code")
    codes = new_recovery_codes()
    async with write_transaction(StaffCredential):
        await StaffCredential.update(
            {
                StaffCredential.totp_secret: secret,
                StaffCredential.totp_last_step: step,
                StaffCredential.updated_at: utcnow(),
            }
        ).where(StaffCredential.staff == staff_id)
        await RecoveryCode.delete().where(RecoveryCode.staff == staff_id)
        await RecoveryCode.insert(
            *(RecoveryCode(staff=staff_id, code_hash=hash_recovery_code(code)) for code in codes)
        )
    return codes


async def set_interface_language(staff_id: UUID, lang: str) -> None:
    """The language a staff member's console speaks."""
    if lang not in ("ka", "en"):
        raise Invalid("the interface speaks ka or en", field="lang")
    await StaffCredential.update({StaffCredential.interface_lang: lang}).where(
        StaffCredential.staff == staff_id
    )
    forget_verified_sessions()  # the next page speaks the new language


async def has_second_factor(staff_id: UUID) -> bool:
    """Whether a staff member has TOTP turned on (then set-up is not offered before the code step)."""
    row = (
        await StaffCredential.select(StaffCredential.totp_secret)
        .where(StaffCredential.staff == staff_id)
        .first()
    )
    return bool(row and row["totp_secret"])


async def set_review_mails(staff_id: UUID, wanted: bool) -> None:
    """Whether an editor is mailed when a draft is submitted for review (API-only staff get a row too)."""
    async with write_transaction(StaffCredential):
        if await StaffCredential.exists().where(StaffCredential.staff == staff_id):
            await StaffCredential.update(
                {StaffCredential.review_mails: wanted, StaffCredential.updated_at: utcnow()}
            ).where(StaffCredential.staff == staff_id)
        else:
            # No password: this row cannot sign anyone in (an empty hash never matches).
            await StaffCredential(staff=staff_id, review_mails=wanted, updated_at=utcnow()).save()


async def review_mails_of(staff_id: UUID) -> bool:
    """Whether the staff member is mailed about drafts submitted for review (yes unless turned off)."""
    row = (
        await StaffCredential.select(StaffCredential.review_mails)
        .where(StaffCredential.staff == staff_id)
        .first()
    )
    return True if row is None else bool(row["review_mails"])
