"""Who a console request comes from: the session cookie, the sign-in redirect, and the audit of access."""

from datetime import timedelta
from typing import Any, Final

from litestar import Request
from litestar.datastructures import Cookie
from litestar.template.base import csrf_token

from accounts.audit import record_write
from accounts.console_sessions import ConsoleUser, SessionLimits, session_user
from content.languages import negotiate_language
from service.client_address import peer_address
from service.middleware import request_id_of
from service.settings import Settings

SESSION_COOKIE: Final = "scmi_console"


class SignInNeeded(Exception):
    """The page needs a signed-in staff member; the answer sends the browser to the sign-in page."""


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    """The one settings object, as the app was built with it."""
    settings: Settings = request.app.state.settings
    return settings


def limits_of(settings: Settings) -> SessionLimits:
    """The session lifetimes the settings ask for."""
    return SessionLimits(
        idle=timedelta(minutes=settings.console_idle_minutes),
        absolute=timedelta(hours=settings.console_session_hours),
    )


def secure_cookies(settings: Settings) -> bool:
    """Cookies are Secure in production and wherever the service is reached over HTTPS."""
    return settings.environment == "production" or settings.public_url.startswith("https://")


def session_cookie(token: str, settings: Settings) -> Cookie:
    """The session cookie: HttpOnly, SameSite=Lax, only for /console, Secure in production."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/console",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
        max_age=settings.console_session_hours * 3600,
    )


def expired_cookie(settings: Settings) -> Cookie:
    """A cookie that removes the session cookie from the browser."""
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        path="/console",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
        max_age=0,
    )


async def current_user(request: Request[Any, Any, Any]) -> ConsoleUser | None:
    """The person behind the session cookie, at whatever stage of signing in, or None."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    return await session_user(token, limits_of(settings_of(request)))


async def signed_in(request: Request[Any, Any, Any]) -> ConsoleUser:
    """The fully signed-in person, or SignInNeeded."""
    user = await current_user(request)
    if user is None or user.stage != "signed_in":
        raise SignInNeeded
    return user


def page_language(request: Request[Any, Any, Any], user: ConsoleUser | None = None) -> str:
    """The console's language: the staff member's choice, else `?lang=`, else the browser's."""
    if user is not None:
        return user.interface_lang
    return negotiate_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def form_token(request: Request[Any, Any, Any]) -> str:
    """The CSRF token every console form carries (Litestar's double-submit token)."""
    return csrf_token({"request": request})


async def audit_access(
    request: Request[Any, Any, Any],
    event: str,
    *,
    staff_id: Any = None,
    email: str = "",
    status: int = 200,
    target: str = "",
) -> None:
    """Record a console step (a sign-in, a failure, an admin's change) in the audit log, with where it
    came from and, for a change made to someone, whom it was made to (`target`)."""
    await record_write(
        staff_id=staff_id,
        staff_email=email[:320],
        method=request.method,
        path=request.url.path,
        status=status,
        request_id=request_id_of(request.scope),
        detail={
            "event": event,
            "ip": peer_address(request),
            "user_agent": request.headers.get("user-agent", "")[:300],
            **({"target": target[:320]} if target else {}),
        },
    )


# The double-submit cookie of Litestar's CSRF check (the console router's config names it too).
CSRF_COOKIE: Final = "scmi_csrf"
