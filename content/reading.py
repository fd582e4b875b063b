"""What a reading page shows: one public entry in the language its address names, or where it moved."""

from dataclasses import dataclass

from content.queries import find_entry_row
from content.schemas import EntryOut
from content.shaping import build_entries
from core.errors import NotFound


@dataclass(frozen=True, slots=True)
class Moved:
    """The entry lives at another address now: its current slug, or its only language."""

    lang: str
    slug: str


async def entry_for_page(kind: str, lang: str, slug: str) -> EntryOut | Moved:
    """The public entry `/{lang}/{kind}/{slug}` names, or where to send the reader instead.

    A former slug, a slug of the other language, an id or a slug in other letter case moves to the
    entry's current slug in `lang`; an entry without a `lang` text moves to the language it has.
    What the public may not see (drafts, scheduled, embargoed, archived) is not found.
    """
    row, _ = await find_entry_row(kind, slug, public=True)
    shaped = await build_entries([row], lang, staff=False)
    if not shaped:
        raise NotFound(f"no {kind} entry {slug!r}")
    entry = shaped[0]
    if entry.lang != lang or entry.slug != slug:
        return Moved(lang=entry.lang, slug=entry.slug)
    return entry
