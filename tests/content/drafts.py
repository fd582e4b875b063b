"""Actors and entry inputs the content domain tests share (the HTTP tests use tests/helpers.py)."""

from uuid import UUID, uuid4

from content.queries import list_entries
from content.schemas import Actor, EntryIn, TranslationIn

AUTHOR = Actor(id=uuid4(), name="Author", can_edit_any=False, can_publish=False)
OTHER_AUTHOR = Actor(id=uuid4(), name="Other Author", can_edit_any=False, can_publish=False)
EDITOR = Actor(id=uuid4(), name="Editor", can_edit_any=True, can_publish=True)

GEORGIAN_TITLE = "სახელმწიფო კომისიის სხდომა"
ENGLISH_TITLE = "A sitting of the State Commission"


def bilingual(ka_title: str = GEORGIAN_TITLE, en_title: str | None = ENGLISH_TITLE) -> EntryIn:
    """A new draft in Georgian and (unless `en_title` is None) English."""
    translations = {
        "ka": TranslationIn(title=ka_title, summary="მოკლე აღწერა", body="კომისიამ **დაამტკიცა**.")
    }
    if en_title is not None:
        translations["en"] = TranslationIn(
            title=en_title, summary="Summary", body="The Commission *adopted*."
        )
    return EntryIn(translations=translations)  # type: ignore[arg-type]


async def public_ids(kind: str = "news", lang: str = "ka", q: str | None = None) -> list[UUID]:
    """The ids of a kind's first public page in a language, newest first."""
    return [item.id for item in (await list_entries(kind, lang, q=q)).items]
