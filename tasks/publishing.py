"""Jobs of the publishing workflow."""

from content.publishing import publish_due_entries
from tasks.context import JobContext


async def publish_due(ctx: JobContext) -> int:
    """Publish scheduled entries whose time has come; returns how many."""
    return len(await publish_due_entries())
