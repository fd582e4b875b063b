"""Liveness and readiness: is the process up, and can it reach the database and the queue."""

import asyncio
from typing import Any

from arq.connections import ArqRedis
from litestar import Request, Response, get

from content.tables import Entry
from service.errors import problem

CHECK_TIMEOUT = 2.0


@get("/healthz", tags=["operations"], summary="The process is alive", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _database_ok() -> bool:
    try:
        await asyncio.wait_for(Entry.raw("SELECT 1"), CHECK_TIMEOUT)
    except Exception:
        return False
    return True


async def _queue_ok(queue: ArqRedis | None) -> bool:
    if queue is None:
        return False
    try:
        await asyncio.wait_for(queue.ping(), CHECK_TIMEOUT)
    except Exception:
        return False
    return True


@get("/readyz", tags=["operations"], summary="The database and the queue are reachable")
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    checks = {
        "database": await _database_ok(),
        "queue": await _queue_ok(getattr(request.app.state, "queue", None)),
    }
    if all(checks.values()):
        return Response({"status": "ready", "checks": checks})
    failing = ", ".join(name for name, ok in checks.items() if not ok)
    return problem(503, f"not ready: {failing} unreachable", request=request, headers={"Retry-After": "5"})
