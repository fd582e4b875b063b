"""Job metrics and logs: how many ran, how they ended, how long they took, for which request."""

import functools
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final, ParamSpec, TypeVar

import structlog
from prometheus_client import Counter, Histogram

from tasks.request_ids import REQUEST_ID_KWARG, request_id_var

P = ParamSpec("P")
R = TypeVar("R")

JOBS: Final = Counter("scmi_jobs_total", "Jobs run by the worker", ["job", "outcome"])
JOB_SECONDS: Final = Histogram(
    "scmi_job_duration_seconds",
    "How long jobs took",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600),
)


def _job_id(args: tuple[Any, ...]) -> str:
    ctx = args[0] if args and isinstance(args[0], dict) else {}
    return str(ctx.get("job_id", ""))


def measured(job: Callable[P, Awaitable[R]], name: str | None = None) -> Callable[P, Coroutine[Any, Any, R]]:
    """Count a job's runs by outcome (ok, failed, cancelled), time them, and log one line per run.

    The request id the job was enqueued with is bound to every log line of the run, and to the jobs
    it enqueues in turn. Runs are counted under `name` (the job's name on the queue; its function's name
    by default).
    """
    label = name or job.__name__

    @functools.wraps(job)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        request_id = str(kwargs.pop(REQUEST_ID_KWARG, "") or "")
        token = request_id_var.set(request_id) if request_id else None
        context: dict[str, Any] = {"job": label, "job_id": _job_id(args)}
        if request_id:
            context["request_id"] = request_id
        started = time.perf_counter()
        outcome = "failed"
        with structlog.contextvars.bound_contextvars(**context):
            try:
                result = await job(*args, **kwargs)
                outcome = "ok"
                return result
            except BaseException as error:
                outcome = (
                    "cancelled"
                    if type(error).__name__ in {"CancelledError", "RetryJob", "Retry"}
                    else "failed"
                )
                raise
            finally:
                seconds = time.perf_counter() - started
                JOBS.labels(job=label, outcome=outcome).inc()
                JOB_SECONDS.labels(job=label).observe(seconds)
                # Looked up per run: a logger cached before logging was configured would write elsewhere.
                structlog.get_logger("scmi.jobs").info(
                    "job", outcome=outcome, duration_ms=round(seconds * 1000, 2)
                )
                if token is not None:
                    request_id_var.reset(token)

    return run


def job_count(name: str, outcome: str) -> float:
    """The number of runs of a job with an outcome so far (for tests and the CLI)."""
    value: Any = JOBS.labels(job=name, outcome=outcome)._value.get()
    return float(value)
