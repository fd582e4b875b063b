"""Jobs of subscriber imports: a CSV uploaded in the console, imported with its progress recorded."""

from uuid import UUID

from newsletters.import_runs import run_import
from tasks.context import JobContext


async def import_subscribers(ctx: JobContext, run_id: str) -> str:
    """Import one queued file; returns the import's status (done, failed)."""
    settings = ctx["settings"]
    return await run_import(UUID(run_id), directory=settings.imports_dir, secret_key=settings.secret_key)
