"""Job metrics: how many ran, how they ended, how long they took."""

import functools
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final, ParamSpec, TypeVar

from prometheus_client import Counter, Histogram

P = ParamSpec("P")
R = TypeVar("R")

JOBS: Final = Counter("scmi_jobs_total", "Jobs run by the worker", ["job", "outcome"])
JOB_SECONDS: Final = Histogram(
    "scmi_job_duration_seconds",
    "How long jobs took",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600),
)


def measured(job: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Count a job's runs by outcome (ok, failed, cancelled) and time them."""
    name = job.__name__

    @functools.wraps(job)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = await job(*args, **kwargs)
            outcome = "ok"
            return result
        except BaseException as error:
            outcome = (
                "cancelled" if type(error).__name__ in {"CancelledError", "RetryJob", "Retry"} else "failed"
            )
            raise
        finally:
            JOBS.labels(job=name, outcome=outcome).inc()
            JOB_SECONDS.labels(job=name).observe(time.perf_counter() - started)

    return run


def job_count(name: str, outcome: str) -> float:
    """The number of runs of a job with an outcome so far (for tests and the CLI)."""
    value: Any = JOBS.labels(job=name, outcome=outcome)._value.get()
    return float(value)
