"""The preheader: the line a mail client shows after the subject, cut at a word and padded."""

from typing import Final

from markupsafe import Markup, escape

from content.plain_text import markdown_line

LENGTH: Final = 110
# Invisible characters after the preheader fill the preview line, so that clients do not pull in
# the body's first words (the greeting, the organisation's name) after it.
# Written as characters, not entities: the MJML renderer does not keep entities in the preview whole.
PADDING: Final = Markup("\u034f\u200c\u00a0" * 90)  # noqa: S704 (constant invisible characters)


def preheader_text(intro: str, limit: int = LENGTH) -> str:
    """The intro's first words as plain text, at most `limit` characters, cut at a word with an ellipsis."""
    line = markdown_line(intro)
    if len(line) <= limit:
        return line
    cut = line[: limit + 1].rsplit(" ", 1)[0] if " " in line[:limit] else line[:limit]
    return cut.rstrip(" ,;:.—-") + "…"


def preheader_html(intro: str) -> Markup:
    """The preheader for the HTML part: escaped text, then the padding."""
    return escape(preheader_text(intro)) + PADDING
