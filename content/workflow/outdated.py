"""Outdated translations: a language whose counterpart's text changed after it was last written."""

from typing import Any
from uuid import UUID

from content.tables import EntryTranslation

# The parts of a translation whose change the other language has to follow (not an event's location).
SOURCE_FIELDS = ("title", "summary", "body")


def is_outdated(own: dict[str, Any], others: list[dict[str, Any]]) -> bool:
    """Whether another language's text changed after `own` was last written against it."""
    return any(other["text_revision"] > own["source_revision"] for other in others)


def outdated_languages(texts: dict[str, dict[str, Any]]) -> set[str]:
    """The languages of an entry (rows by language) that are behind another language."""
    return {
        lang
        for lang, own in texts.items()
        if is_outdated(own, [other for code, other in texts.items() if code != lang])
    }


async def translation_marks(entry_id: UUID) -> dict[str, dict[str, Any]]:
    """An entry's translations by language: their id and the two revisions that make the mark."""
    rows = await EntryTranslation.select(
        EntryTranslation.id,
        EntryTranslation.lang,
        EntryTranslation.text_revision,
        EntryTranslation.source_revision,
    ).where(EntryTranslation.entry == entry_id)
    return {row["lang"]: row for row in rows}


async def note_text_changes(
    entry_id: UUID, revision: int, before: dict[str, dict[str, Any]], changed: set[str]
) -> None:
    """After a save at `revision` changed the text of the languages in `changed`, move the marks.

    `before` holds the translation rows as they were before the save (by language). A changed
    language is written against the others as they now stand. The others fall behind it, unless it
    was new or itself outdated: then it was following them, and they stay current.
    Call inside the write transaction of the save.
    """
    if not changed:
        return
    was_behind = outdated_languages(before)
    rows = await translation_marks(entry_id)
    text = {lang: revision if lang in changed else row["text_revision"] for lang, row in rows.items()}
    source = {lang: row["source_revision"] for lang, row in rows.items()}
    for lang in changed & set(rows):
        others = [code for code in rows if code != lang]
        if others:
            source[lang] = max(text[code] for code in others)
        if lang not in before or lang in was_behind:
            for code in others:
                if code not in changed:
                    source[code] = max(source[code], revision)
    for lang, row in rows.items():
        if (text[lang], source[lang]) != (row["text_revision"], row["source_revision"]):
            await EntryTranslation.update(
                {EntryTranslation.text_revision: text[lang], EntryTranslation.source_revision: source[lang]}
            ).where(EntryTranslation.id == row["id"])
