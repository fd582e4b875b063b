"""Markdown as plain text: what a text/plain mail part or a preview line shows, with no markup left."""

import textwrap
from typing import Final

import lxml.html

from content.markup import render_body

_BLOCKS: Final = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "figcaption"})


def _inline(element: lxml.html.HtmlElement) -> str:
    """An element's words, with each link's address after its text unless the text is the address."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "a":
            label, href = child.text_content(), child.get("href", "")
            parts.append(label if not href or href in (label, f"mailto:{label}") else f"{label} ({href})")
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag in ("ul", "ol"):
            pass  # a nested list is its own block
        else:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def markdown_paragraphs(source: str) -> list[str]:
    """The paragraphs of a Markdown text as plain text: list items marked `- `, links as `text (url)`."""
    if not source.strip():
        return []
    root = lxml.html.fragment_fromstring(render_body(source), create_parent="div")
    paragraphs: list[str] = []
    loose: list[str] = [root.text or ""]  # text outside any block (raw HTML in the source)

    def flush() -> None:
        words = " ".join("".join(loose).split())
        if words:
            paragraphs.append(words)
        loose.clear()

    for child in root:
        if not isinstance(child.tag, str):
            loose.append(child.tail or "")
            continue
        if child.tag in _BLOCKS or child.tag in ("ul", "ol", "table", "figure", "hr"):
            flush()
            inner = {"ul": "li", "ol": "li", "table": "tr", "figure": "figcaption"}.get(child.tag)
            blocks = [child] if child.tag in _BLOCKS else [e for e in child.iter() if e.tag == inner]
            for element in blocks:
                text = " ".join(_inline(element).split()) if element.tag != "pre" else element.text_content()
                if text.strip():
                    paragraphs.append(f"- {text}" if element.tag == "li" else text)
        else:
            loose.append(
                _inline(
                    lxml.html.fragment_fromstring(
                        lxml.html.tostring(child, encoding="unicode"), create_parent="span"
                    )
                )
            )
        loose.append(child.tail or "")
    flush()
    return paragraphs


def markdown_to_text(source: str, width: int | None = None) -> str:
    """A Markdown text as plain text, paragraphs apart by a blank line, wrapped at `width` if given."""
    out: list[str] = []
    previous_item = False
    for paragraph in markdown_paragraphs(source):
        item = paragraph.startswith("- ")
        if width is not None:
            indent = "  " if item else ""
            paragraph = textwrap.fill(
                paragraph, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
            )
        if out:
            out.append("\n" if item and previous_item else "\n\n")  # a list's items stay together
        out.append(paragraph)
        previous_item = item
    return "".join(out)


def markdown_line(source: str) -> str:
    """A Markdown text as one line of plain words (links without their addresses), for previews."""
    if not source.strip():
        return ""
    root = lxml.html.fragment_fromstring(render_body(source), create_parent="div")
    return " ".join(root.text_content().split())
