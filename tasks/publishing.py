"""Jobs of the publishing workflow."""

from content.publishing import publish_due_entries, unpublish_due_entries
from tasks.context import JobContext
from tasks.enqueue import enqueue_webhook_sweep


async def publish_due(ctx: JobContext) -> int:
    """Publish scheduled entries whose time has come and unpublish expired ones; returns how many."""
    published = await publish_due_entries()
    published += await unpublish_due_entries()
    if published:
        # Their entry.published events are owed now: no need to wait for the sweep's next round.
        await enqueue_webhook_sweep(ctx["redis"])
    return len(published)
