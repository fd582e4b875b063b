"""Staff filters on translations: entries missing one, or with one outdated, in a language or either."""

from typing import Final, Literal, get_args

from piccolo.columns.combination import WhereRaw

from content.languages import LANGUAGES
from core.errors import Invalid

TranslationState = Literal["missing", "outdated"]
TRANSLATION_STATES: Final[tuple[TranslationState, ...]] = get_args(TranslationState)

# Correlated with the outer `entry` row, so a walk down a staff index probes (entry, lang) per row.
_MISSING = "NOT EXISTS (SELECT 1 FROM entry_translation AS t WHERE t.entry = entry.id AND t.lang = {})"
_OUTDATED = (
    "EXISTS (SELECT 1 FROM entry_translation AS t JOIN entry_translation AS o"
    " ON o.entry = t.entry AND o.lang <> t.lang"
    " WHERE t.entry = entry.id AND o.text_revision > t.source_revision{})"
)


def check_state(state: str) -> TranslationState:
    """A `translation=` filter's value, or Invalid."""
    if state not in TRANSLATION_STATES:
        raise Invalid("the translation filter is missing or outdated", field="translation")
    return state


def check_language(lang: str, field: str) -> str:
    """A filter's language, or Invalid naming the field."""
    if lang not in LANGUAGES:
        raise Invalid(f"the {field} language is " + " or ".join(LANGUAGES), field=field)
    return lang


def translation_condition(state: TranslationState, lang: str | None) -> WhereRaw:
    """Entries whose `lang` translation is missing or outdated; with lang None, either one."""
    if state == "missing":
        if lang is not None:
            return WhereRaw(_MISSING, lang)
        return WhereRaw("(" + " OR ".join([_MISSING] * len(LANGUAGES)) + ")", *LANGUAGES)
    if lang is not None:
        return WhereRaw(_OUTDATED.format(" AND t.lang = {}"), lang)
    return WhereRaw(_OUTDATED.format(""))
