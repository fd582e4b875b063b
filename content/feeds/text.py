"""Make any text safe for XML, JSON and iCalendar: no control characters, no lone surrogates, bounded."""

import html
import re
from typing import Final

import nh3

# Characters XML 1.0 forbids (C0 controls but tab, newline and return; surrogates; U+FFFE, U+FFFF), plus
# the C1 controls and DEL, which XML allows but readers choke on.
_UNSAFE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
TITLE_LIMIT: Final = 1_000
SUMMARY_LIMIT: Final = 10_000


def clean(text: str | None) -> str:
    """The text without characters that no feed format can carry."""
    if not text:
        return ""
    return _UNSAFE.sub("", text)


def clip(text: str, limit: int) -> str:
    """Clean text cut to at most `limit` characters, with an ellipsis where it was cut."""
    text = clean(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def one_line(text: str, limit: int = TITLE_LIMIT) -> str:
    """A title: clean, whitespace runs folded to one space, bounded."""
    return clip(" ".join(clean(text).split()), limit)


def html_to_plain(fragment: str) -> str:
    """The words of an HTML fragment, for formats that carry plain text (iCalendar)."""
    return " ".join(html.unescape(nh3.clean(clean(fragment), tags=set())).split())
