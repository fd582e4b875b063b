"""Full-text search terms: words cut to a stem so every inflected form of a word finds the others."""

import re
from typing import Final

# Georgian nouns take case endings and postpositions (სხდომა, სხდომაზე, სხდომის, სხდომით); cutting
# them off and matching the rest as a prefix finds every form without a stemmer in the database.
GEORGIAN_ENDINGS: Final = (
    "ებისთვის", "ისთვის", "თვის", "ებიდან", "იდან", "ებით", "ებში", "ებზე", "ების", "ებს", "ები",
    "ამდე", "ადმი", "ისა", "ზეც", "შიც", "ზე", "ში", "ით", "ის", "ად", "ს", "ი",
)  # fmt: skip
ENGLISH_ENDINGS: Final = ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s", "y")
MIN_STEM: Final = 3
MIN_TERM: Final = 2
MAX_TERMS: Final = 8
MAX_TERM_LENGTH: Final = 40
_WORD = re.compile(r"[\w]+", re.UNICODE)
_GEORGIAN = re.compile(r"[\u10A0-\u10FF\u1C90-\u1CBF]")


def _strip(word: str, endings: tuple[str, ...], keep: int) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= keep:
            return word[: -len(ending)]
    return word


def stem(word: str) -> str:
    """The stem of one word, lowercase; short words are kept whole."""
    word = word.lower()
    if _GEORGIAN.search(word):
        word = _strip(word, GEORGIAN_ENDINGS, MIN_STEM)
        # The stem's final vowel drops before some endings (სხდომა, სხდომის): match without it.
        if len(word) > MIN_STEM + 1 and word[-1] in "აე":
            word = word[:-1]
        return word
    return _strip(word, ENGLISH_ENDINGS, MIN_STEM + 1)


def query_terms(text: str) -> list[str]:
    """The stems of a search query: words only, so no operator of any search engine gets through."""
    terms: list[str] = []
    for word in _WORD.findall(text):
        term = stem(word.replace("_", ""))[:MAX_TERM_LENGTH]
        if len(term) >= MIN_TERM and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def fts5_query(terms: list[str]) -> str:
    """An SQLite FTS5 MATCH expression: every term as a quoted prefix."""
    return " AND ".join(f'"{term}"*' for term in terms)


def tsquery(terms: list[str]) -> str:
    """A PostgreSQL `to_tsquery('simple', ...)` expression: every term as a prefix."""
    return " & ".join(f"{term}:*" for term in terms)
