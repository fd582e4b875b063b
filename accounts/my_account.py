"""A staff member's own account: a new password and new recovery codes, each proved by the password."""

from uuid import UUID

from accounts.console_sessions import end_other_sessions
from accounts.passwords import check_new_password, hash_password, password_matches
from accounts.second_factor import hash_recovery_code, new_recovery_codes
from accounts.tables import RecoveryCode, Staff, StaffCredential
from core.db import utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound


async def _check_current(staff_id: UUID, current_password: str) -> StaffCredential:
    credential = await StaffCredential.objects().where(StaffCredential.staff == staff_id).first()
    if credential is None:
        raise NotFound("no such staff member")
    if not password_matches(credential.password_hash, current_password):
        raise Invalid("the current password is wrong", field="current_password")
    return credential


async def change_password(
    staff_id: UUID, current_password: str, new_password: str, *, session_id: UUID
) -> int:
    """Replace the password (same rules as the welcome page) and end every other session; how many ended."""
    await _check_current(staff_id, current_password)
    person = await Staff.select(Staff.email, Staff.name).where(Staff.id == staff_id).first()
    assert person is not None  # the credential's staff row exists (cascade)
    check_new_password(new_password, email=person["email"], name=person["name"])
    new_hash = hash_password(new_password)
    async with write_transaction(StaffCredential):
        await StaffCredential.update(
            {StaffCredential.password_hash: new_hash, StaffCredential.updated_at: utcnow()}
        ).where(StaffCredential.staff == staff_id)
        # Whoever may have learnt the old password is signed out with it.
        return await end_other_sessions(staff_id, keep=session_id)


async def regenerate_recovery_codes(staff_id: UUID, current_password: str) -> list[str]:
    """Ten new recovery codes in place of the old ones (shown once); needs the second factor on."""
    credential = await _check_current(staff_id, current_password)
    if not credential.totp_secret:
        raise Conflict("turn on two-step sign-in first", field="current_password")
    codes = new_recovery_codes()
    async with write_transaction(RecoveryCode):
        await RecoveryCode.delete().where(RecoveryCode.staff == staff_id)
        await RecoveryCode.insert(
            *(RecoveryCode(staff=staff_id, code_hash=hash_recovery_code(code)) for code in codes)
        )
    return codes


async def unused_recovery_codes(staff_id: UUID) -> int:
    """How many of a staff member's recovery codes are still unused."""
    return int(
        await RecoveryCode.count().where((RecoveryCode.staff == staff_id) & RecoveryCode.used_at.is_null())
    )
