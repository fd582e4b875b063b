"""Submitting a draft for review: draft → in_review, with an optional note for the editors."""

from uuid import UUID

from content.revisions import load_entry, record_revision
from content.schemas import Actor, EntryOut
from content.workflow.comments import add_note, clean_note
from core.db import write_transaction
from core.errors import Conflict, Forbidden

IN_REVIEW = "in_review"


async def submit_entry(kind: str, entry_id: UUID, actor: Actor, note: str | None = None) -> EntryOut:
    """Put one's own draft before the editors; the caller then tells them (tasks/review_mail.py)."""
    text = clean_note(note, required=False)
    async with write_transaction():
        entry = await load_entry(kind, entry_id)
        if entry["created_by"] != actor.id:
            raise Forbidden("only the entry's author submits it for review")
        if entry["status"] != "draft":
            raise Conflict(f"only a draft can be submitted for review; this entry is {entry['status']}")
        if text is not None:
            await add_note(entry_id, actor, text, "submit")
        return await record_revision(entry, actor, "submit", ["status"], {"status": IN_REVIEW})
