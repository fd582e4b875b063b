"""A fast path in front of Litestar for public GETs answered from this process's caches.

Readers poll feeds and the first pages of lists hard, and most of what a request costs there is
the framework's work around a few bytes already encoded: middleware, dependency injection, response
shaping. A route handler opts in by naming, in its `opt`, a reader (`CACHED_READ`) that builds the
same answer from the request's path parameters, query string and headers, or gives None when it
cannot (the answer is not kept yet, the query is not the plain one, anything unusual). Then, and for
every request this path does not take (staff tokens, CORS origins, repeated headers, other
methods), the request goes through Litestar as usual. What the fast path answers carries what the
usual path would: the same status, headers in the same order and body; the request id; the
security headers (Litestar's `before_send` hooks wrap the `send` this sees); one log line; request
metrics under the route template. tests/service/test_cached_reads.py holds it to that.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, NamedTuple

from litestar import Litestar
from litestar._asgi.utils import is_valid_host  # what the router checks before routing
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.path import normalize_path

from service.logs import log_request
from service.metrics import count_request, in_progress_of
from service.middleware import choose_request_id
from tasks.request_ids import request_id_var

CACHED_READ: Final = "cached_read"  # the `opt` key naming a handler's reader
# Requests carrying these take the usual path: a staff token changes what is seen; CORS adds headers.
USUAL_PATH_HEADERS: Final = frozenset({b"authorization", b"origin"})


class Answer(NamedTuple):
    """A complete answer: status, encoded headers (lower-case names, in order) and body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


# (app state, path parameters, raw query string, request headers by lower-case name) -> answer or None
Reader = Callable[[State, dict[str, Any], bytes, dict[bytes, bytes]], Awaitable[Answer | None]]


class CachedReads:
    """Wraps the app's ASGI handler; answers what a handler's reader can, passes on the rest."""

    def __init__(self, app: Litestar, usual: ASGIApp) -> None:
        self.app = app
        self.usual = usual
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
                reader: Reader | None = handler.opt.get(CACHED_READ)
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
    """Put the fast path in front of the app's handler (inside Litestar's `before_send` hooks)."""
    app.asgi_handler = CachedReads(app, app.asgi_handler)
    return app
