"""The small public HTML pages of subscriptions: Jinja templates, Georgian and English, strict CSP."""

import base64
import hashlib
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape
from litestar import Request, Response
from markupsafe import Markup

from content.languages import LANGUAGE_NAMES
from service.form_style import FORM_STYLE
from service.page_texts import SIGN_UP_TEXTS
from service.registration_texts import REGISTRATION_TEXTS

STYLE: Final = (
    "body{font:16px/1.5 system-ui,'Noto Sans Georgian','DejaVu Sans',sans-serif;margin:0;"
    "background:#f6f7f9;color:#1b1f24}main{max-width:36rem;margin:2rem auto;padding:1.5rem;"
    "background:#fff;border-radius:8px}h1{font-size:1.4rem}.site{color:#4a5563;margin:0}"
    "button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#0b5394;"
    "color:#fff;cursor:pointer}button:focus{outline:3px solid #f1c232}fieldset{border:1px solid "
    "#d0d5dc;border-radius:6px;margin:1rem 0}label{display:block;margin:.3rem 0}.note{background:"
    "#e8f2e8;padding:.5rem;border-radius:6px}.error{background:#fbe9e7;padding:.5rem;border-radius:6px}"
) + FORM_STYLE
STYLE_HASH: Final = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CONTENT_SECURITY_POLICY: Final = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "site": "მიგრაციის საკითხთა სამთავრობო კომისიის სამდივნო",
        "confirmed_title": "გამოწერა დადასტურებულია",
        "confirmed_body": "გმადლობთ! ამიერიდან მიიღებთ არჩეული სიების საინფორმაციო ბიულეტენებს.",
        "unsubscribe_title": "გამოწერის გაუქმება",
        "unsubscribe_body": "დააჭირეთ ღილაკს და აღარ მიიღებთ ჩვენს საინფორმაციო ბიულეტენებს.",
        "unsubscribe_button": "გამოწერის გაუქმება",
        "unsubscribed_title": "გამოწერა გაუქმებულია",
        "unsubscribed_body": "თქვენ აღარ მიიღებთ ჩვენს საინფორმაციო ბიულეტენებს.",
        "preferences_title": "გამოწერის პარამეტრები",
        "lists_legend": "სიები",
        "lang_legend": "ენა",
        "save_button": "შენახვა",
        "saved": "ცვლილებები შენახულია.",
        "preferences_link": "გამოწერის პარამეტრები",
        "error_title": "ბმული არ მუშაობს",
        "inactive": "გამოწერა არ არის აქტიური: სიებში დასაბრუნებლად ხელახლა გამოიწერეთ.",
        "invalid_link": "ეს ბმული არასწორია ან აღარ მოქმედებს.",
        "expired_link": "დადასტურების ბმულს ვადა გაუვიდა: ახალი ბმულის მისაღებად ხელახლა გამოიწერეთ.",
    },
    "en": {
        "site": "Secretariat of the State Commission on Migration Issues",
        "confirmed_title": "Subscription confirmed",
        "confirmed_body": "Thank you! From now on you will receive the newsletters of the lists you chose.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_body": "Press the button and you will receive no more of our newsletters.",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed_title": "You are unsubscribed",
        "unsubscribed_body": "You will receive no more of our newsletters.",
        "preferences_title": "Subscription preferences",
        "lists_legend": "Lists",
        "lang_legend": "Language",
        "save_button": "Save",
        "saved": "Your changes are saved.",
        "preferences_link": "Subscription preferences",
        "error_title": "This link does not work",
        "inactive": "Your subscription is not active: to join lists again, subscribe again.",
        "invalid_link": "This link is not valid, or no longer works.",
        "expired_link": "This confirmation link has expired: subscribe again to get a new one.",
    },
}

_environment = Environment(
    loader=PackageLoader("service", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def wants_json(request: Request[Any, Any, Any]) -> bool:
    """Whether the caller prefers JSON to a page, by the q-values of its Accept header."""
    # The page is the default: no Accept header, `*/*` or `text/*` gets HTML. Between equal q-values
    # the header's order decides (Litestar's rule), so `application/json, text/html` gets JSON.
    return request.accept.best_match(["text/html", "application/json"], default="text/html") == (
        "application/json"
    )


def page(
    template: str, lang: str, *, status_code: int = 200, folder: str = "subscriptions", **context: Any
) -> Response[str]:
    """A rendered page with the security headers every subscription page carries."""
    lang = lang if lang in TEXTS else "ka"
    html = _environment.get_template(f"{folder}/{template}").render(
        lang=lang,
        t=TEXTS[lang] | SIGN_UP_TEXTS[lang] | REGISTRATION_TEXTS[lang],
        css=Markup(STYLE),  # noqa: S704 (our own constant; escaping would break its CSP hash)
        language_names=LANGUAGE_NAMES,
        **context,
    )
    return Response(html, status_code=status_code, media_type="text/html", headers=SECURITY_HEADERS)
