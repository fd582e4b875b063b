"""CSV cells a spreadsheet will not run as formulas (OWASP "CSV injection"), and their way back on import."""

from collections.abc import Iterable
from typing import Final

# What Excel, LibreOffice and Google Sheets take as the start of a formula (OWASP's list).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER: Final = "'"


def safe_cell(value: object) -> str:
    """The cell as text; text that would start a formula gets a leading apostrophe, shown as text."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return NEUTRALISER + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    """Every cell of a row made safe: what every CSV the service writes goes through."""
    return [safe_cell(value) for value in values]


def recovered_cell(text: str) -> str:
    """A cell as it was before `safe_cell`: an export read back imports the values it was made from."""
    if text.startswith(NEUTRALISER) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
