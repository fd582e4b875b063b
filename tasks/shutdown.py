"""Stopping a worker gently: no new jobs, let running ones finish, then close."""

import asyncio
import logging

from arq.worker import Worker

logger = logging.getLogger("scmi.worker")


async def stop_gracefully(worker: Worker, grace_seconds: float) -> None:
    """Stop picking jobs, wait up to `grace_seconds` for running ones, then close (cancelling the rest).

    arq's own `close()` cancels running jobs at once (they are retried later); a deploy or a
    SIGTERM should instead let a mail that is half sent finish.
    """
    worker.allow_pick_jobs = False
    running = [task for task in worker.tasks.values() if not task.done()]
    if running:
        logger.info("worker stopping: waiting for %d running jobs", len(running))
        _, pending = await asyncio.wait(running, timeout=grace_seconds)
        if pending:
            logger.warning(
                "worker stopping: cancelling %d jobs still running after %ss", len(pending), grace_seconds
            )
    await worker.close()
