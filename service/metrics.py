"""Prometheus metrics at /metrics: requests by route and status, jobs, queue depth."""

from typing import Any, Final

from litestar import Request, Response, get
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest

QUEUE_DEPTH: Final = Gauge("scmi_queue_depth", "Jobs waiting in the arq queue")

PROMETHEUS: Final = PrometheusConfig(
    app_name="scmi",
    prefix="scmi",
    group_path=True,  # label by route template, so ids and slugs do not explode the series
    exclude=["/metrics", "/healthz"],
    buckets=[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
)


@get("/metrics", include_in_schema=False, media_type=CONTENT_TYPE_LATEST)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The process's metrics in Prometheus text format; the queue depth is read at scrape time."""
    queue = getattr(request.app.state, "queue", None)
    if queue is not None:
        try:
            QUEUE_DEPTH.set(await queue.zcard(queue.default_queue_name))
        except Exception:  # an unreachable Redis must not break the scrape; /readyz reports it
            QUEUE_DEPTH.set(float("nan"))
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
