"""Console pages: Jinja templates in the staff member's language, strict CSP, dates in Tbilisi time."""

import hashlib
from datetime import datetime
from importlib.resources import files
from typing import Any, Final
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from litestar import Response

from content.kinds import KINDS
from content.languages import LANGUAGE_NAMES
from service.console.texts import TEXTS

TBILISI: Final = ZoneInfo("Asia/Tbilisi")
STYLESHEET: Final = files("service.console").joinpath("static/console.css").read_bytes()
# The file's hash in its address: cached for a year, and a new version is a new address.
STYLESHEET_PATH: Final = f"/console/static/console.{hashlib.sha256(STYLESHEET).hexdigest()[:12]}.css"
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}

_environment = Environment(
    loader=PackageLoader("service.console", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def tbilisi_time(moment: datetime | None, lang: str) -> str:
    """A moment as staff read it: in Asia/Tbilisi, the zone named."""
    if moment is None:
        return ""
    local = moment.astimezone(TBILISI)
    return f"{local:%Y-%m-%d %H:%M} ({TEXTS[lang]['timezone']})"


def console_page(
    template: str,
    lang: str,
    *,
    status_code: int = 200,
    cookies: list[Any] | None = None,
    **context: Any,
) -> Response[str]:
    """A rendered console page with the console's security headers."""
    return page_response(render_page(template, lang, **context), status_code=status_code, cookies=cookies)


def render_page(template: str, lang: str, **context: Any) -> str:
    """The HTML of a console page in `lang` (Georgian when it is not one the console speaks)."""
    lang = lang if lang in TEXTS else "ka"
    return _environment.get_template(f"console/{template}").render(
        lang=lang,
        t=TEXTS[lang],
        language_names=LANGUAGE_NAMES,
        console_kinds=KINDS,
        stylesheet=STYLESHEET_PATH,
        when=lambda moment: tbilisi_time(moment, lang),
        **context,
    )


def page_response(html: str, *, status_code: int = 200, cookies: list[Any] | None = None) -> Response[str]:
    """Rendered HTML as a console answer, with the console's security headers."""
    return Response(
        html, status_code=status_code, media_type="text/html", headers=PAGE_HEADERS, cookies=cookies or []
    )
