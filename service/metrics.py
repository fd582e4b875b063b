"""Prometheus metrics at /metrics: requests by route and status, jobs, queue depth."""

import hmac
import time
from typing import Any, Final

from litestar import Request, Response, get
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

QUEUE_DEPTH: Final = Gauge("scmi_queue_depth", "Jobs waiting in the arq queue")

# The series Litestar's Prometheus plugin made (names, labels, buckets), so dashboards stay as they are.
APP_NAME: Final = "scmi"
LABELS: Final = ["method", "path", "status_code", "app_name"]
BUCKETS: Final = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]
NOT_COUNTED: Final = frozenset({"/metrics", "/healthz"})
REQUESTS: Final = Counter("scmi_requests_total", "Total requests", LABELS)
ERRORS: Final = Counter("scmi_requests_error_total", "Total errors in requests", LABELS)
DURATION: Final = Histogram(
    "scmi_request_duration_seconds", "Request duration, in seconds", LABELS, buckets=BUCKETS
)
IN_PROGRESS: Final = Gauge(
    "scmi_requests_in_progress", "Total requests currently in progress", LABELS, multiprocess_mode="livesum"
)
Metric = Counter | Gauge | Histogram
# Keyed by the metric object itself (hashed by identity), not by its private `_name`.
_series: dict[tuple[Metric, str, str, str], Any] = {}


def _series_of(metric: Metric, method: str, path: str, status: str) -> Any:
    """A metric's child for one label set, looked up once: `labels()` costs more than the count itself."""
    key = (metric, method, path, status)
    child = _series.get(key)
    if child is None:
        child = _series[key] = metric.labels(method, path, status, APP_NAME)
    return child


def in_progress_of(method: str, path: str) -> Any:
    """The in-progress gauge of a route template and method."""
    return _series_of(IN_PROGRESS, method, path, "200")


def count_request(method: str, path: str, status: int, duration: float) -> None:
    """Count one finished request and its duration (in seconds) under its route template."""
    code = str(status)
    if status >= 500:
        _series_of(ERRORS, method, path, code).inc()
    _series_of(REQUESTS, method, path, code).inc()
    _series_of(DURATION, method, path, code).observe(duration)


class RequestMetrics:
    """Count and time every request by method, route template (not the raw path) and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path_template", "")
        if scope["type"] != ScopeType.HTTP or path in NOT_COUNTED:
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        started = time.perf_counter()
        status, duration = 200, 0.0

        async def send_timed(message: Message) -> None:
            nonlocal status, duration
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                duration = time.perf_counter() - started
            await send(message)

        in_progress = in_progress_of(method, path)
        in_progress.inc()
        try:
            await self.app(scope, receive, send_timed)
        finally:
            in_progress.dec()
            count_request(method, path, status, duration)


def may_scrape(authorization: str | None, token: str, environment: str) -> bool:
    """Whether a scrape is allowed: with METRICS_TOKEN set, only with it; in production, never without it."""
    if not token:
        return environment != "production"
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@get("/metrics", include_in_schema=False, media_type=CONTENT_TYPE_LATEST)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The process's metrics in Prometheus text format; the queue depth is read at scrape time."""
    settings = request.app.state.settings
    if not may_scrape(request.headers.get("authorization"), settings.metrics_token, settings.environment):
        # Not found rather than refused: the public learns nothing of what the operator runs.
        raise NotFoundException()
    queue = getattr(request.app.state, "queue", None)
    if queue is not None:
        try:
            QUEUE_DEPTH.set(await queue.zcard(queue.default_queue_name))
        except Exception:  # an unreachable Redis must not break the scrape; /readyz reports it
            QUEUE_DEPTH.set(float("nan"))
    # Given as a header: Litestar would add a second charset to a text/* media type.
    return Response(generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
