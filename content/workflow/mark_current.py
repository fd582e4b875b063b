"""Marking a translation current: its author says it matches the other language as it now stands."""

from uuid import UUID

from content.entries import check_may_edit
from content.languages import LANGUAGES
from content.revisions import load_entry
from content.schemas import Actor, EntryOut
from content.shaping import build_entries
from content.tables import EntryTranslation
from content.workflow.outdated import translation_marks
from core.db import write_transaction
from core.errors import Invalid, NotFound


async def mark_current(kind: str, entry_id: UUID, lang: str, actor: Actor) -> EntryOut:
    """Clear the outdated mark of one translation; whoever may edit the entry may do it.

    Nothing public changes, so it is not a revision (the audit log keeps the request). A translation
    that is not outdated stays as it is.
    """
    if lang not in LANGUAGES:
        raise Invalid("the language is one of " + ", ".join(LANGUAGES), field="lang")
    async with write_transaction():
        entry = await load_entry(kind, entry_id)
        check_may_edit(entry, actor)
        marks = await translation_marks(entry_id)
        if lang not in marks:
            raise NotFound(f"the entry has no {lang} translation")
        others = [row["text_revision"] for code, row in marks.items() if code != lang]
        if others and max(others) > marks[lang]["source_revision"]:
            await EntryTranslation.update({EntryTranslation.source_revision: max(others)}).where(
                EntryTranslation.id == marks[lang]["id"]
            )
    return (await build_entries([entry], None, staff=True))[0]
