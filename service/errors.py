"""Every error leaves as RFC 9457 problem+json, mapped here and only here."""

import logging
import sqlite3
from typing import Any, Final

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, TooLarge, Unsupported

PROBLEM_JSON: Final = "application/problem+json"
logger = logging.getLogger("scmi.errors")

DOMAIN_STATUS: Final[dict[type[DomainError], int]] = {
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    Forbidden: 403,
    TooLarge: 413,
    Unsupported: 415,
}
TITLES: Final[dict[int, str]] = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    416: "Range not satisfiable",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    request: Request[Any, Any, Any] | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    """A problem+json answer."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = next((code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind)), 400)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    return problem(status, exc.detail, request=request, errors=errors)


def _field_name(key: str) -> str:
    # msgspec reports `Expected ... - at `$.translations.ka.title``; keep the path without `$.`.
    return key.removeprefix("$.").removeprefix("$")


def _validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors: list[dict[str, str]] = []
    if isinstance(exc.extra, list):
        for item in exc.extra:
            if isinstance(item, dict):
                message = str(item.get("message", "invalid"))
                key = str(item.get("key") or "")
                if not key and " - at `" in message:
                    message, _, path = message.partition(" - at `")
                    key = _field_name(path.rstrip("`"))
                errors.append({"field": _field_name(key) or "body", "message": message})
    detail = "; ".join(f"{error['field']}: {error['message']}" for error in errors) or str(exc.detail)
    return problem(400, detail, request=request, errors=errors or None)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="scmi"')
    if exc.status_code >= 500:
        logger.error("server error %s on %s: %s", exc.status_code, request.url.path, exc.detail)
        detail = TITLES.get(exc.status_code, "Server error")
    else:
        detail = exc.detail or TITLES.get(exc.status_code, "Error")
    return problem(exc.status_code, detail, request=request, headers=headers or None)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if isinstance(exc, RecursionError) and "deserializing" in str(exc):
        # msgspec gives up on JSON nested deeper than Python's recursion limit: the body is at fault.
        return problem(400, "the JSON body is nested too deeply", request=request)
    if isinstance(exc, asyncpg.exceptions.DataError):
        # PostgreSQL refused a value (a NUL character, text longer than its column, a number out of
        # range): the client's input, which SQLite would have taken; the transaction rolled back.
        logger.warning("the database refused a value on %s: %s", request.url.path, type(exc).__name__)
        return problem(422, "a value holds characters or a size the database cannot store", request=request)
    if _is_database_unavailable(exc):
        logger.warning("database unavailable on %s: %s", request.url.path, type(exc).__name__)
        return problem(
            503,
            "the database is unavailable; try again shortly",
            request=request,
            headers={"Retry-After": "5"},
        )
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "an unexpected error occurred", request=request)


def _is_database_unavailable(exc: BaseException) -> bool:
    """Whether an error (or one it came from) says the database is unreachable, not that a query is wrong."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if _unreachable(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _unreachable(error: BaseException) -> bool:
    # Refused or reset connections surface as OSError; asyncpg has its own connection errors, and a
    # connection the server drops in the middle of a query (PostgreSQL shutting down) leaves asyncpg's
    # protocol in a state it reports as InternalClientError; SQLite's file going away or its disk
    # failing is an OperationalError with one of these messages.
    if isinstance(error, ConnectionError | OSError | TimeoutError):
        return True
    if isinstance(
        error,
        asyncpg.exceptions.PostgresConnectionError
        | asyncpg.exceptions.InterfaceError
        | asyncpg.exceptions.InternalClientError,
    ):
        return True
    if isinstance(
        error, asyncpg.exceptions.CannotConnectNowError | asyncpg.exceptions.TooManyConnectionsError
    ):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(text in str(error) for text in SQLITE_UNAVAILABLE)
    return False


SQLITE_UNAVAILABLE: Final = ("unable to open database file", "disk I/O error", "database is locked")


def status_of(exc: BaseException) -> int:
    """The status the handlers above answer an error with (for logs written outside them)."""
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, ValidationException):
        return 400
    if isinstance(exc, DomainError):
        return next((code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind)), 400)
    if isinstance(exc, RecursionError) and "deserializing" in str(exc):
        return 400
    if isinstance(exc, asyncpg.exceptions.DataError):
        return 422
    return 503 if _is_database_unavailable(exc) else HTTP_500_INTERNAL_SERVER_ERROR


EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = {
    DomainError: _domain_error,  # type: ignore[dict-item,unused-ignore]
    ValidationException: _validation_error,  # type: ignore[dict-item,unused-ignore]
    HTTPException: _http_error,  # type: ignore[dict-item,unused-ignore]
    Exception: _unexpected,
}
