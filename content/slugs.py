"""Slugs from titles: Georgian romanised by the national table, then lowercase words and hyphens."""

import re
import unicodedata
from typing import Final

# The national system of romanisation of Georgian (2002), as the Secretariat's own pages use it.
GEORGIAN_TO_LATIN: Final[dict[str, str]] = {
    "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t", "ი": "i",
    "კ": "k", "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p", "ჟ": "zh", "რ": "r", "ს": "s",
    "ტ": "t", "უ": "u", "ფ": "p", "ქ": "k", "ღ": "gh", "ყ": "q", "შ": "sh", "ჩ": "ch", "ც": "ts",
    "ძ": "dz", "წ": "ts", "ჭ": "ch", "ხ": "kh", "ჯ": "j", "ჰ": "h",
}  # fmt: skip

# Mtavruli (capital) letters U+1C90..U+1CBF map onto Mkhedruli U+10D0.. one to one.
_MTAVRULI_OFFSET: Final = 0x1C90 - 0x10D0
_TRANSLATION: Final = str.maketrans(
    {
        **GEORGIAN_TO_LATIN,
        **{chr(ord(letter) + _MTAVRULI_OFFSET): latin for letter, latin in GEORGIAN_TO_LATIN.items()},
    }
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG_LENGTH: Final = 80
FALLBACK_SLUG: Final = "entry"


def romanise(text: str) -> str:
    """Romanise Georgian letters by the national table and fold accented Latin to plain ASCII."""
    latin = text.translate(_TRANSLATION)
    decomposed = unicodedata.normalize("NFKD", latin)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def slugify(title: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Make a URL slug from a title; a title with nothing to romanise gives `entry`."""
    words = _NOT_SLUG.sub("-", romanise(title).lower()).strip("-")
    if len(words) > max_length:
        cut = words[:max_length]
        # Cut at a word boundary so a slug never ends in half a word.
        words = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return words or FALLBACK_SLUG


def with_suffix(slug: str, number: int) -> str:
    """The `number`th alternative of a slug that is taken: `slug-2`, `slug-3`, ..."""
    suffix = f"-{number}"
    return slug[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
