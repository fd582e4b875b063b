"""An editor sends an entry in review back to its author: in_review → draft, with a required note."""

from uuid import UUID

from content.revisions import load_entry, record_revision
from content.schemas import Actor, EntryOut
from content.workflow.comments import add_note, clean_note
from content.workflow.submit import IN_REVIEW
from core.db import write_transaction
from core.errors import Conflict, Forbidden


async def request_changes(kind: str, entry_id: UUID, actor: Actor, note: str | None) -> EntryOut:
    """Send the entry back to draft with a note saying what to change; the caller tells the author."""
    if not actor.can_publish:
        raise Forbidden("only editors and admins request changes")
    text = clean_note(note, required=True)
    assert text is not None
    async with write_transaction():
        entry = await load_entry(kind, entry_id)
        if entry["status"] != IN_REVIEW:
            raise Conflict(f"only an entry in review can be sent back; this entry is {entry['status']}")
        await add_note(entry_id, actor, text, "request_changes")
        return await record_revision(entry, actor, "request_changes", ["status"], {"status": "draft"})
