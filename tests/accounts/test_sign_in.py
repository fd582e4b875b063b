"""Invitations, the two sign-in steps, throttling, and console sessions, on both databases."""

from datetime import timedelta

import pyotp
import pytest

from accounts.console_sessions import (
    SessionLimits,
    complete_second_factor,
    end_every_session,
    end_session,
    session_user,
    start_session,
)
from accounts.invites import accept_invite, invite_staff, invitee
from accounts.second_factor import new_secret
from accounts.sign_in import (
    MAX_FAILURES_PER_ACCOUNT,
    SignInRefused,
    Throttled,
    check_password,
    check_second_factor,
    enable_second_factor,
)
from accounts.staff import change_role
from accounts.tables import ConsoleSession, StaffInvite
from core.errors import Conflict, NotFound
from tests.conftest import Database

PASSWORD = "ნისლიანი-მთა-და-მდინარე-2026"
LIMITS = SessionLimits(idle=timedelta(hours=1), absolute=timedelta(hours=12))


async def test_invite_then_password_then_sign_in(db: Database) -> None:
    invitation = await invite_staff("Nino@Example.org", "editor", "Nino")
    assert (await invitee(invitation.token)).email == "nino@example.org"
    await accept_invite(invitation.token, PASSWORD)
    with pytest.raises(NotFound):  # spent
        await accept_invite(invitation.token, PASSWORD)
    with pytest.raises(Conflict):  # a person with a password is not invited again
        await invite_staff("nino@example.org", "editor")
    accepted = await check_password("nino@example.org", PASSWORD, ip="192.0.2.1")
    assert accepted.next == "signed_in"
    assert accepted.staff_id == invitation.staff_id


async def test_expired_and_superseded_links_do_not_work(db: Database) -> None:
    first = await invite_staff("ana@example.org", "author")
    second = await invite_staff("ana@example.org", "author")
    with pytest.raises(NotFound):
        await invitee(first.token)
    await StaffInvite.update({StaffInvite.expires_at: StaffInvite.created_at - timedelta(seconds=1)}).where(
        StaffInvite.staff == second.staff_id
    )
    with pytest.raises(NotFound, match="expired"):
        await invitee(second.token)


async def test_wrong_passwords_are_throttled_per_account(db: Database) -> None:
    invitation = await invite_staff("gio@example.org", "author")
    await accept_invite(invitation.token, PASSWORD)
    for attempt in range(MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(SignInRefused):
            await check_password("gio@example.org", f"wrong-{attempt}", ip=f"198.51.100.{attempt}")
    with pytest.raises(Throttled):  # even the right password, from another address
        await check_password("gio@example.org", PASSWORD, ip="203.0.113.9")
    with pytest.raises(SignInRefused):  # an unknown address is refused the same way
        await check_password("nobody@example.org", PASSWORD, ip="203.0.113.9")


async def test_admins_must_set_up_totp_and_codes_work_once(db: Database) -> None:
    invitation = await invite_staff("admin@example.org", "admin")
    await accept_invite(invitation.token, PASSWORD)
    accepted = await check_password("admin@example.org", PASSWORD, ip="192.0.2.1")
    assert accepted.next == "set_up_second_factor"
    secret = new_secret()
    recovery = await enable_second_factor(accepted.staff_id, secret, pyotp.TOTP(secret).now())
    assert len(set(recovery)) == 10
    assert (await check_password("admin@example.org", PASSWORD, ip="192.0.2.1")).next == "second_factor"
    # The code used at set-up is spent: the same code is refused until the next step.
    with pytest.raises(SignInRefused):
        await check_second_factor(accepted.staff_id, pyotp.TOTP(secret).now(), ip="192.0.2.1")
    await check_second_factor(accepted.staff_id, recovery[0].upper(), ip="192.0.2.1")
    with pytest.raises(SignInRefused):
        await check_second_factor(accepted.staff_id, recovery[0], ip="192.0.2.1")


async def test_sessions_end_one_all_and_when_disabled(db: Database) -> None:
    invitation = await invite_staff("eka@example.org", "editor")
    first = await start_session(invitation.staff_id, stage="signed_in")
    second = await start_session(invitation.staff_id, stage="signed_in")
    user = await session_user(first, LIMITS)
    assert user is not None
    assert user.principal.role == "editor"
    await end_session(user.session_id)
    assert await session_user(first, LIMITS) is None
    assert await session_user(second, LIMITS) is not None
    third = await start_session(invitation.staff_id, stage="signed_in")
    assert await end_every_session(invitation.staff_id) == 2
    assert await session_user(second, LIMITS) is None
    assert await session_user(third, LIMITS) is None
    fourth = await start_session(invitation.staff_id, stage="signed_in")
    await change_role(invitation.staff_id, "editor", disabled=True)
    assert await session_user(fourth, LIMITS) is None


async def test_idle_and_absolute_limits(db: Database) -> None:
    invitation = await invite_staff("lika@example.org", "author")
    token = await start_session(invitation.staff_id, stage="signed_in")
    await ConsoleSession.update(
        {ConsoleSession.last_seen_at: ConsoleSession.last_seen_at - timedelta(hours=2)}
    ).where(ConsoleSession.staff == invitation.staff_id)
    assert await session_user(token, LIMITS) is None
    token = await start_session(invitation.staff_id, stage="signed_in")
    await ConsoleSession.update(
        {ConsoleSession.created_at: ConsoleSession.created_at - timedelta(hours=13)}
    ).where((ConsoleSession.staff == invitation.staff_id) & ConsoleSession.ended_at.is_null())
    assert await session_user(token, LIMITS) is None


async def test_second_factor_swaps_the_session_token(db: Database) -> None:
    invitation = await invite_staff("dato@example.org", "admin")
    half = await start_session(invitation.staff_id, stage="second_factor")
    user = await session_user(half, LIMITS)
    assert user is not None
    assert user.stage == "second_factor"
    full = await complete_second_factor(user.session_id)
    assert full != half
    assert await session_user(half, LIMITS) is None
    upgraded = await session_user(full, LIMITS)
    assert upgraded is not None
    assert upgraded.stage == "signed_in"
