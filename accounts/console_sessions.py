"""Server-side console sessions: started, looked up with idle and absolute limits, ended one or all."""

import asyncio
import secrets
import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal
from uuid import UUID

from accounts.revocations import revocation_mark
from accounts.roles import Principal
from accounts.staff import hash_token
from accounts.tables import ConsoleSession, StaffCredential
from core.db import as_utc, on_committed_write, utcnow, write_transaction
from core.errors import NotFound

Stage = Literal["second_factor", "signed_in"]
SESSION_PREFIX: Final = "scmis_"
# Writing last_seen on every page would make every read a write; a minute is fine for an idle limit.
SEEN_RESOLUTION: Final = timedelta(minutes=1)
# A verified session is believed for this long in this process, so that a page costs no session
# query. Every committed write transaction of this process and every sign-out here forget them all at
# once; a sign-out, disable or role change written by another process (another worker, `scmi staff` on
# the command line) moves the revocation mark, which also forgets them (accounts.revocations). What the
# mark does not follow (a new name, interface language) is seen within this time.
VERIFIED_SECONDS: Final = 1.0


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """How long a session lives: since the last request, and at most since sign-in."""

    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    """Who a console request comes from, at which stage of signing in, in which interface language."""

    principal: Principal
    session_id: UUID
    stage: Stage
    interface_lang: str


@dataclass(frozen=True, slots=True)
class _Verified:
    user: ConsoleUser
    created: datetime
    seen: datetime
    until: float
    mark: Hashable  # the revocation mark read before the look-up (never None: none is kept without one)


_verified: dict[str, _Verified] = {}
# Look-ups under way, by token hash: the requests a browser sends at once ask the database once.
_looking_up: dict[str, asyncio.Future[ConsoleUser | None]] = {}
_forgotten = [0]  # how often everything was forgotten: a look-up read before that is not kept


def forget_verified_sessions() -> None:
    """Believe no session without asking the database again (something about staff changed)."""
    _verified.clear()
    _looking_up.clear()
    _forgotten[0] += 1


on_committed_write(forget_verified_sessions)


async def start_session(staff_id: UUID, *, stage: Stage, ip: str = "", user_agent: str = "") -> str:
    """A new session for a staff member; the returned token goes in the cookie and is never stored."""
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    await ConsoleSession(
        staff=staff_id,
        token_hash=hash_token(token),
        stage=stage,
        created_at=now,
        last_seen_at=now,
        ip=ip[:64],
        user_agent=user_agent[:300],
    ).save()
    return token


async def session_user(token: str, limits: SessionLimits) -> ConsoleUser | None:
    """The signed-in person behind a cookie, or None when it is unknown, ended, expired or disabled."""
    if not token.startswith(SESSION_PREFIX) or len(token) > 100:
        return None
    token_hash = hash_token(token)
    known = _verified.get(token_hash)
    mark = revocation_mark()
    if known is not None and time.monotonic() < known.until and mark == known.mark:
        now = utcnow()
        if now - known.created <= limits.absolute and now - known.seen <= limits.idle:
            return known.user
    _verified.pop(token_hash, None)
    under_way = _looking_up.get(token_hash)
    if under_way is not None:
        return await asyncio.shield(under_way)
    future: asyncio.Future[ConsoleUser | None] = asyncio.get_running_loop().create_future()
    _looking_up[token_hash] = future
    forgotten = _forgotten[0]
    try:
        found = await _look_up(token_hash, limits, mark)
    except Exception as error:
        future.set_exception(error)
        future.exception()  # retrieved: a look-up nobody else waited for logs nothing
        raise
    except BaseException:
        future.cancel()  # this request was cancelled: those waiting on it are told so
        raise
    finally:
        if _looking_up.get(token_hash) is future:
            del _looking_up[token_hash]
    future.set_result(found.user if found else None)
    # A disable or sign-out that committed while this read may not be in it: answer, keep it not.
    if found is not None and forgotten == _forgotten[0] and mark is not None:
        _verified[token_hash] = found
    return found.user if found else None


async def _look_up(token_hash: str, limits: SessionLimits, mark: Hashable | None) -> _Verified | None:
    row = (
        await ConsoleSession.select(
            ConsoleSession.id,
            ConsoleSession.stage,
            ConsoleSession.created_at,
            ConsoleSession.last_seen_at,
            ConsoleSession.staff.id,
            ConsoleSession.staff.email,
            ConsoleSession.staff.name,
            ConsoleSession.staff.role,
            ConsoleSession.staff.disabled_at,
        )
        .where((ConsoleSession.token_hash == token_hash) & ConsoleSession.ended_at.is_null())
        .first()
    )
    if row is None or row["staff.disabled_at"] is not None:
        return None
    now = utcnow()
    created, seen = as_utc(row["created_at"]), as_utc(row["last_seen_at"])
    assert created is not None
    assert seen is not None
    if now - created > limits.absolute or now - seen > limits.idle:
        await ConsoleSession.update({ConsoleSession.ended_at: now}).where(ConsoleSession.id == row["id"])
        return None
    if now - seen >= SEEN_RESOLUTION:
        await ConsoleSession.update({ConsoleSession.last_seen_at: now}).where(ConsoleSession.id == row["id"])
        seen = now
    lang = (
        await StaffCredential.select(StaffCredential.interface_lang)
        .where(StaffCredential.staff == row["staff.id"])
        .first()
    )
    user = ConsoleUser(
        principal=Principal(
            id=row["staff.id"],
            email=row["staff.email"],
            name=row["staff.name"],
            role=row["staff.role"],
            token_id=row["id"],
        ),
        session_id=row["id"],
        stage=row["stage"],
        interface_lang=lang["interface_lang"] if lang else "ka",
    )
    return _Verified(user, created, seen, time.monotonic() + VERIFIED_SECONDS, mark)


async def complete_second_factor(session_id: UUID) -> str:
    """End the half-signed-in session and start a full one with a new token (no session fixation)."""
    async with write_transaction(ConsoleSession):
        row = (
            await ConsoleSession.select(ConsoleSession.staff, ConsoleSession.ip, ConsoleSession.user_agent)
            .where((ConsoleSession.id == session_id) & ConsoleSession.ended_at.is_null())
            .first()
        )
        if row is None:
            raise LookupError("the session has ended")
        await ConsoleSession.update({ConsoleSession.ended_at: utcnow()}).where(
            ConsoleSession.id == session_id
        )
        return await start_session(
            row["staff"], stage="signed_in", ip=row["ip"], user_agent=row["user_agent"]
        )


async def end_session(session_id: UUID) -> None:
    """Sign one browser out."""
    await ConsoleSession.update({ConsoleSession.ended_at: utcnow()}).where(
        (ConsoleSession.id == session_id) & ConsoleSession.ended_at.is_null()
    )
    forget_verified_sessions()


async def end_every_session(staff_id: UUID) -> int:
    """Sign a staff member out everywhere; the number of sessions ended."""
    async with write_transaction(ConsoleSession):
        open_sessions = await ConsoleSession.count().where(
            (ConsoleSession.staff == staff_id) & ConsoleSession.ended_at.is_null()
        )
        await ConsoleSession.update({ConsoleSession.ended_at: utcnow()}).where(
            (ConsoleSession.staff == staff_id) & ConsoleSession.ended_at.is_null()
        )
    return int(open_sessions)


@dataclass(frozen=True, slots=True)
class SessionOut:
    """An open console session as its owner and admins see it: when, from where, with what."""

    id: UUID
    created_at: datetime
    last_seen_at: datetime
    ip: str
    user_agent: str


async def open_sessions(staff_id: UUID, limits: SessionLimits) -> list[SessionOut]:
    """A staff member's sessions that still open the console, latest activity first."""
    now = utcnow()
    rows = (
        await ConsoleSession.select(
            ConsoleSession.id,
            ConsoleSession.created_at,
            ConsoleSession.last_seen_at,
            ConsoleSession.ip,
            ConsoleSession.user_agent,
        )
        .where(
            (ConsoleSession.staff == staff_id)
            & ConsoleSession.ended_at.is_null()
            & (ConsoleSession.stage == "signed_in")
            & (ConsoleSession.created_at > now - limits.absolute)
            & (ConsoleSession.last_seen_at > now - limits.idle)
        )
        .order_by(ConsoleSession.last_seen_at, ascending=False)
    )
    return [
        SessionOut(
            id=row["id"],
            created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
            last_seen_at=as_utc(row["last_seen_at"]),  # type: ignore[arg-type]
            ip=row["ip"],
            user_agent=row["user_agent"],
        )
        for row in rows
    ]


async def end_session_of(staff_id: UUID, session_id: UUID) -> None:
    """End one of a staff member's sessions (NotFound when it is not theirs or already over)."""
    ended = (
        await ConsoleSession.update({ConsoleSession.ended_at: utcnow()})
        .where(
            (ConsoleSession.id == session_id)
            & (ConsoleSession.staff == staff_id)
            & ConsoleSession.ended_at.is_null()
        )
        .returning(ConsoleSession.id)
    )
    if not ended:
        raise NotFound("no such open session")


async def end_other_sessions(staff_id: UUID, keep: UUID) -> int:
    """Sign a staff member out of every browser but this one; the number of sessions ended."""
    ended = (
        await ConsoleSession.update({ConsoleSession.ended_at: utcnow()})
        .where(
            (ConsoleSession.staff == staff_id)
            & (ConsoleSession.id != keep)
            & ConsoleSession.ended_at.is_null()
        )
        .returning(ConsoleSession.id)
    )
    return len(ended)
