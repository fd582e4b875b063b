"""The institution's official names in each language, as the glossary gives them (shared/reference)."""

from typing import Final

# Georgian says "სამთავრობო" (governmental) where English says "State"; never "სახელმწიფო კომისია".
COMMISSION: Final[dict[str, str]] = {
    "ka": "მიგრაციის საკითხთა სამთავრობო კომისია",
    "en": "State Commission on Migration Issues",
}
SECRETARIAT: Final[dict[str, str]] = {
    "ka": "მიგრაციის საკითხთა სამთავრობო კომისიის სამდივნო",
    "en": "Secretariat of the State Commission on Migration Issues",
}
# The Commission's name in the genitive, for phrases like "news of the Commission".
COMMISSION_GENITIVE: Final[dict[str, str]] = {
    "ka": "მიგრაციის საკითხთა სამთავრობო კომისიის",
    "en": "of the State Commission on Migration Issues",
}


def commission(lang: str) -> str:
    """The Commission's official name in `lang` (Georgian for a language we do not speak)."""
    return COMMISSION.get(lang, COMMISSION["ka"])


def secretariat(lang: str) -> str:
    """The Secretariat's official name in `lang` (Georgian for a language we do not speak)."""
    return SECRETARIAT.get(lang, SECRETARIAT["ka"])
