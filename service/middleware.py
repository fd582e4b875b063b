"""ASGI middleware: a request id on every answer, and the audit record of every staff write."""

import logging
import re
import secrets
import time
from typing import Any, Final

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from accounts.audit import record_write
from accounts.roles import Principal
from service.errors import status_of
from service.logs import log_request
from tasks.request_ids import request_id_var

WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SAFE_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger("scmi.audit")


def request_id_of(scope: Scope) -> str:
    """The id given to the request being served."""
    state: dict[str, Any] = scope.setdefault("state", {})
    return str(state.get("request_id", ""))


def choose_request_id(incoming: str) -> str:
    """The caller's `X-Request-ID` if it is sane, else a fresh one."""
    return incoming if _SAFE_REQUEST_ID.match(incoming) else secrets.token_hex(8)


class RequestIdMiddleware:
    """Give each request an id (the caller's `X-Request-ID` if it is sane), echo it, log one line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = choose_request_id(incoming)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            # Raised before a route (the token lookup with the database down): Litestar's outermost
            # handler answers it after this middleware, with the status the handlers give it.
            status = status_of(error)
            raise
        finally:
            log_request(
                scope.get("method", ""),
                scope["path"],
                status,
                round((time.perf_counter() - started) * 1000, 2),
            )
            request_id_var.reset(token)


class AuditMiddleware:
    """After a staff write succeeds, append who did what to the audit log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        status = 0

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, capture)
        principal: Principal | None = scope.get("user")
        if principal is None or not 200 <= status < 400:
            return
        try:
            await record_write(
                staff_id=principal.id,
                staff_email=principal.email,
                method=scope["method"],
                path=scope["path"],
                status=status,
                request_id=request_id_of(scope),
            )
        except Exception:  # the write itself succeeded; a lost audit line must not turn it into an error
            logger.exception("could not record an audit event")
