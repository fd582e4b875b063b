"""The one look of the public reading pages and the newsletter archive: a Jinja frame, its CSS and CSP."""

import base64
import hashlib
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape
from litestar import Response
from markupsafe import Markup

from content.languages import LANGUAGE_NAMES
from service.pages import STYLE
from service.reading_texts import format_date, texts

# Added to the subscriber pages' style: the frame around main, entry text, images that fit 320 px.
READING_STYLE: Final = (
    "*{box-sizing:border-box}.masthead,.foot{max-width:36rem;margin:1rem auto;padding:0 1.5rem}"
    ".wide,.foot.wide,.masthead.wide{max-width:42rem}main{overflow-wrap:break-word}"
    "img,video{max-width:100%;height:auto}pre{overflow-x:auto}table{display:block;overflow-x:auto}"
    "a{color:#0b5394}a:focus,main:focus{outline:3px solid #f1c232}"
    ".skip{position:absolute;left:-10000px;top:0;background:#fff;padding:.5rem}"
    ".skip:focus{left:0}.meta{color:#4a5563;margin:.2rem 0}.kind{text-transform:uppercase;"
    "letter-spacing:.05em;font-size:.85rem;color:#4a5563;margin:0}figure{margin:1rem 0}"
    "figcaption{color:#4a5563;font-size:.9rem}dl.facts{display:grid;grid-template-columns:auto 1fr;"
    "gap:.3rem 1rem;background:#f6f7f9;padding:.8rem;border-radius:6px}dl.facts dt{font-weight:600}"
    "dl.facts dd{margin:0}.foot p{color:#4a5563;font-size:.95rem}.lang-link{margin:0 0 1rem}"
    "ul.archive{padding-left:1.2rem}ul.archive li{margin:.4rem 0}"
    ".embargo{border:3px solid #b45309;background:#fff7ed;padding:.8rem 1rem;border-radius:6px;margin:1rem 0}"
    "iframe.mail{display:block;width:100%;height:1800px;border:1px solid #d0d5dc;border-radius:6px}"
)
CSS: Final = STYLE + READING_STYLE
CSS_HASH: Final = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
# No script at all; images from this service only (covers and attachments live under /api/v1/media).
PAGE_POLICY: Final = (
    f"default-src 'none'; style-src 'sha256-{CSS_HASH}'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": PAGE_POLICY,
}
PUBLIC_CACHE: Final = "public, max-age=60"

_environment = Environment(
    loader=PackageLoader("service", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["date"] = format_date


def render(template: str, lang: str, **context: Any) -> str:
    """A page of the reading frame in `lang`, as HTML text."""
    return _environment.get_template(f"reading/{template}").render(
        lang=lang,
        t=texts(lang),
        css=Markup(CSS),  # noqa: S704 (our own constant; escaping would break its CSP hash)
        language_names=LANGUAGE_NAMES,
        **context,
    )


def public_page(
    template: str,
    lang: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response[str]:
    """A rendered page with the security headers of every public page (and a short public cache life)."""
    return Response(
        render(template, lang, **context),
        status_code=status_code,
        media_type="text/html; charset=utf-8",
        headers={**PAGE_HEADERS, "Cache-Control": PUBLIC_CACHE, **(headers or {})},
    )


def problem_page(lang: str, status_code: int) -> Response[str]:
    """An error as a page in the reader's language: not found, or anything else gone wrong."""
    t = texts(lang)
    if status_code == 404:
        title, message = t["not_found_title"], t["not_found_body"]
    else:
        title, message = t["error_title"], t["unavailable_body"] if status_code == 503 else t["error_body"]
    return public_page(
        "problem.html",
        lang,
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
        title=title,
        message=message,
        noindex=True,
    )
