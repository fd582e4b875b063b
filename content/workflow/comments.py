"""The review conversation: comments on an entry, in Markdown sanitised like bodies."""

from uuid import UUID

from content.markup import render_body
from content.revisions import load_entry
from content.schemas import Actor, CommentOut
from content.tables import EntryComment
from core.db import as_utc, utcnow, write_transaction
from core.errors import Invalid

MAX_COMMENT = 20_000


def _clean(body: str, field: str) -> str:
    # Kept as written (what was typed reads back); only a blank one is refused.
    if not body.strip():
        raise Invalid(f"the {field} cannot be empty", field=field)
    if len(body) > MAX_COMMENT:
        raise Invalid(f"the {field} is longer than {MAX_COMMENT} characters", field=field)
    return body


async def add_note(entry_id: UUID, actor: Actor, body: str, action: str = "comment") -> None:
    """Store a comment; call inside the write transaction of the step it belongs to."""
    await EntryComment(
        entry=entry_id,
        staff_id=actor.id,
        staff_name=actor.name,
        action=action,
        body=body,
        body_html=render_body(body),
        created_at=utcnow(),
    ).save()


async def add_comment(kind: str, entry_id: UUID, actor: Actor, body: str) -> CommentOut:
    """Add a comment to an entry (every staff member may take part in the conversation)."""
    text = _clean(body, "body")
    async with write_transaction():
        await load_entry(kind, entry_id)
        await add_note(entry_id, actor, text)
    return (await list_comments(kind, entry_id))[-1]


async def list_comments(kind: str, entry_id: UUID) -> list[CommentOut]:
    """An entry's conversation, oldest first."""
    await load_entry(kind, entry_id)
    rows = (
        await EntryComment.select(*EntryComment.all_columns())
        .where(EntryComment.entry == entry_id)
        .order_by(EntryComment.created_at)
        .order_by(EntryComment.id)
    )
    return [
        CommentOut(
            id=row["id"],
            action=row["action"],
            body=row["body"],
            body_html=row["body_html"],
            staff_id=row["staff_id"],
            staff_name=row["staff_name"],
            created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        )
        for row in rows
    ]


def clean_note(note: str | None, *, required: bool) -> str | None:
    """A workflow step's note as written; None when left out (or blank) and not required."""
    if note is None or not note.strip():
        if required:
            raise Invalid("a note saying what to change is required", field="note")
        return None
    return _clean(note, "note")
