"""Entry bodies: Markdown (or HTML) in, sanitised HTML and plain text out."""

import html as html_entities
from typing import Final

import nh3
from markdown_it import MarkdownIt

_markdown: Final = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS: Final = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "em", "figcaption", "figure",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub",
        "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Final = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})


def render_body(source: str) -> str:
    """Render a Markdown (or inline HTML) body to HTML that is safe to embed anywhere."""
    return sanitise_html(_markdown.render(source))


def sanitise_html(html: str) -> str:
    """Keep only harmless tags, attributes and URL schemes; links get `rel="noopener noreferrer"`."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def html_to_text(html: str) -> str:
    """The words of an HTML fragment without its tags, for search indexes."""
    return " ".join(html_entities.unescape(nh3.clean(html, tags=set())).split())
