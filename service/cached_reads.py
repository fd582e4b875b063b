"""A fast path in front of Litestar for public GETs answered from this process's caches.

Readers poll feeds and the first pages of lists hard, and most of what a request costs there is
the framework's work around a few bytes already encoded: middleware, dependency injection, response
shaping. A route handler opts in by naming, in its `opt`, a reader (`CACHED_READ`) that gives the
route's answer from the request's path parameters, query string and headers when this process holds
it, or None when it does not (not kept yet, not the plain query, anything unusual). A reader and the
route's handler build the answer with the same function (`Answer`; the handler wraps it with
`as_response` or `as_asgi_response`), so the two paths cannot drift apart.

Every request this path does not take (staff tokens, CORS origins, repeated headers, other methods,
routes without a reader) goes through Litestar as usual. What the fast path answers carries what the
usual path would: the same status, headers in the same order and body; the request id; the security
headers (Litestar's `before_send` hooks wrap the `send` this sees); one log line; request metrics
under the route template. tests/service/test_cached_reads.py holds it to that.

It skips every layer Litestar would run for the route, so it refuses to install (`FastPathRefused`,
when the app is built) for a route on which one is configured that it does not repeat and that is
not idle for the requests it takes: see `skipped_layers`. It finds routes through the app's router
(`app.routes`, `app.asgi_router.handle_routing`) and checks the Host header as the router does
(service/litestar_adapter.py).
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, NamedTuple

from litestar import Litestar, Response
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.response.base import ASGIResponse
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.path import normalize_path

from service.auth import BearerTokenMiddleware
from service.litestar_adapter import is_valid_host
from service.logs import log_request
from service.metrics import RequestMetrics, count_request, in_progress_of
from service.middleware import AuditMiddleware, RequestIdMiddleware, choose_request_id
from tasks.request_ids import request_id_var

CACHED_READ: Final = "cached_read"  # the `opt` key naming a handler's reader
# Requests carrying these take the usual path: a staff token changes what is seen; CORS adds headers.
USUAL_PATH_HEADERS: Final = frozenset({b"authorization", b"origin"})
# The app's middleware, and why the fast path may go without it: it repeats what the first two do;
# the others do nothing for the requests it takes.
KNOWN_MIDDLEWARE: Final[dict[type, str]] = {
    RequestIdMiddleware: "repeated: the request id and the log line",
    RequestMetrics: "repeated: request metrics under the route template",
    BearerTokenMiddleware: "idle: requests with Authorization take the usual path",
    AuditMiddleware: "idle: it records writes, and the fast path serves GET only",
}


class Answer(NamedTuple):
    """A complete answer: status, encoded headers (lower-case names, in order) and body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


# (app state, path parameters, raw query string, request headers by lower-case name) -> answer or None
Reader = Callable[[State, dict[str, Any], bytes, dict[bytes, bytes]], Awaitable[Answer | None]]


def _text_headers(answer: Answer) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in answer.headers]


def as_response(answer: Answer) -> Response[Any]:
    """The answer as a Litestar `Response` (for handlers that declare one): Litestar sends these bytes.

    The answer names its content type and length, so Litestar adds neither.
    """
    return Response(answer.body, status_code=answer.status, headers=dict(_text_headers(answer)))


def as_asgi_response(answer: Answer) -> ASGIResponse:
    """The answer as a ready ASGI response (for handlers that declare one): Litestar sends these bytes."""
    return ASGIResponse(body=answer.body, status_code=answer.status, headers=_text_headers(answer))


class FastPathRefused(RuntimeError):
    """The fast path would skip a layer configured on a route it was asked to serve."""


def _middleware_class(middleware: Any) -> Any:
    # `DefineMiddleware(cls, ...)` holds its class; a `(cls, kwargs)` pair names it first.
    if isinstance(middleware, tuple):
        return middleware[0]
    return getattr(middleware, "middleware", middleware)


def _name(thing: Any) -> str:
    return str(getattr(thing, "__qualname__", None) or getattr(thing, "__name__", None) or thing)


def skipped_layers(app: Litestar, handler: HTTPRouteHandler) -> list[str]:
    """The layers configured for `handler` that the fast path would skip (none, or it must not serve it)."""
    found: list[str] = []
    if app.allowed_hosts:
        found.append("allowed hosts (allowed_hosts)")
    if app.compression_config:
        found.append("compression (compression_config)")
    if app.csrf_config:
        found.append("CSRF (csrf_config)")
    # By name, as Litestar finds it (the plugin's package is optional and not installed here).
    if any(type(plugin).__name__ == "OpenTelemetryPlugin" for plugin in app.plugins):
        found.append("OpenTelemetry (its middleware wraps the router, inside the fast path)")
    for middleware in handler.resolve_middleware():
        kind = _middleware_class(middleware)
        if kind not in KNOWN_MIDDLEWARE:
            found.append(f"middleware {_name(kind)}")
    found += [f"guard {_name(guard)}" for layer in handler.ownership_layers for guard in layer.guards or ()]
    found += [f"dependency {name!r}" for name in handler.resolve_dependencies()]
    if handler.resolve_before_request() is not None:
        found.append("a before_request hook")
    if any(getattr(layer, "after_request", None) for layer in handler.ownership_layers):
        found.append("an after_request hook")
    if handler.resolve_after_response() is not None:
        found.append("an after_response hook")
    found += [f"response header {header.name}" for header in handler.resolve_response_headers()]
    found += [f"response cookie {cookie.key}" for cookie in handler.resolve_response_cookies()]
    if handler.cache:
        found.append("the response cache (cache=)")
    if handler.background is not None:
        found.append("a background task")
    if handler.resolve_return_dto() is not None:
        found.append("a return DTO")
    return found


def cached_routes(app: Litestar) -> dict[BaseRouteHandler, Reader]:
    """Every route handler of the app that names a reader, with it; raises if one may not be served."""
    readers: dict[BaseRouteHandler, Reader] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            reader: Reader | None = handler.opt.get(CACHED_READ)
            if reader is None:
                continue
            skipped = skipped_layers(app, handler)
            if skipped:
                raise FastPathRefused(
                    f"the fast path (service/cached_reads.py) would skip {', '.join(skipped)} on "
                    f"GET {route.path} ({handler.handler_name}): take {CACHED_READ!r} out of its opt, "
                    "or the layer off it"
                )
            readers[handler] = reader
    return readers


class CachedReads:
    """Wraps the app's ASGI handler; answers what a handler's reader can, passes on the rest."""

    def __init__(self, app: Litestar, usual: ASGIApp) -> None:
        self.app = app
        self.usual = usual
        # Checked once, here: a route registered later (or refused) has no reader and takes the usual path.
        self.readers = cached_routes(app)
        self.enabled = True  # tests turn it off to compare with the usual path
        self.answered = 0  # how many requests the fast path answered (for tests)

    def _request_headers(self, scope: Scope) -> dict[bytes, bytes] | None:
        found: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in found or name in USUAL_PATH_HEADERS:
                return None
            found[name] = value
        host = found.get(b"host")
        if host is not None and not is_valid_host(host):
            return None
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.enabled
            or scope["type"] != ScopeType.HTTP
            or scope["method"] != "GET"
            or scope.get("root_path")
        ):
            await self.usual(scope, receive, send)
            return
        started = time.perf_counter()
        headers = self._request_headers(scope)
        answer: Answer | None = None
        if headers is not None:
            try:
                _, handler, path, params, template = self.app.asgi_router.handle_routing(
                    path=normalize_path(scope["path"]), method="GET"
                )
                reader = self.readers.get(handler)
                if reader is not None:
                    answer = await reader(self.app.state, params, scope["query_string"], headers)
            except Exception:  # an unknown route, the database down...: the usual path answers it
                answer = None
        if answer is None:
            await self.usual(scope, receive, send)
            return
        self.answered += 1
        await self._send(scope, send, answer, headers or {}, path, template, started)

    async def _send(
        self,
        scope: Scope,
        send: Send,
        answer: Answer,
        headers: dict[bytes, bytes],
        path: str,
        template: str,
        started: float,
    ) -> None:
        request_id = choose_request_id(headers.get(b"x-request-id", b"").decode("latin-1"))
        scope["state"]["request_id"] = request_id
        token = request_id_var.set(request_id)
        in_progress = in_progress_of("GET", template)
        in_progress.inc()
        status = answer.status
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [*answer.headers, (b"x-request-id", request_id.encode("latin-1"))],
                }
            )
            await send({"type": "http.response.body", "body": answer.body, "more_body": False})
        except Exception:
            status = 500
            raise
        finally:
            in_progress.dec()
            duration = time.perf_counter() - started
            count_request("GET", template, status, duration)
            log_request("GET", path, status, round(duration * 1000, 2))
            request_id_var.reset(token)


def serve_cached_reads(app: Litestar) -> Litestar:
    """Put the fast path in front of the app's handler (inside Litestar's `before_send` hooks).

    Raises `FastPathRefused` if a route that names a reader has a layer the fast path would skip.
    """
    app.asgi_handler = CachedReads(app, app.asgi_handler)
    return app
