"""Jobs of the publishing workflow."""

from typing import Any

from content.publishing import publish_due_entries


async def publish_due(ctx: dict[str, Any]) -> int:
    """Publish scheduled entries whose time has come; returns how many."""
    return len(await publish_due_entries())
