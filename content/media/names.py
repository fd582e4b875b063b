"""Clean a client's file name so it can be shown and offered for download, never used as a path."""

import unicodedata
from typing import Final

MAX_NAME: Final = 200
FALLBACK: Final = "file"
# Cc (controls), Cf (invisible format marks such as bidi overrides), Cs, Co, Cn, Zl and Zp.
DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
FORBIDDEN: Final = frozenset('<>:"|?*')


def _is_blank(char: str) -> bool:
    return char in "\t\n\r\v\f" or unicodedata.category(char) == "Zs"


def sanitise_filename(name: str | None) -> str:
    """A readable, safe name: Georgian and other letters kept; no path, control characters or `..`."""
    if not name:
        return FALLBACK
    text = unicodedata.normalize("NFC", name)
    # The last path segment only, whichever separator the client's system uses.
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        " " if _is_blank(char) else char
        for char in text
        if _is_blank(char) or (unicodedata.category(char) not in DROPPED_CATEGORIES and char not in FORBIDDEN)
    )
    while ".." in text:
        text = text.replace("..", ".")
    text = " ".join(text.split()).strip(" .")
    if len(text) > MAX_NAME:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            text = f"{stem[: MAX_NAME - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            text = text[:MAX_NAME].rstrip(" .")
    return text or FALLBACK
