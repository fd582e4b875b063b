"""Rendering an edition: a campaign in one language, once, with personal parts left as placeholders."""

import html as html_escaping
import re
import secrets
import textwrap
from dataclasses import dataclass, field
from typing import Any, Final

from markupsafe import Markup

from content.institution import COMMISSION, COMMISSION_GENITIVE, SECRETARIAT
from content.markup import render_body
from content.plain_text import markdown_to_text
from newsletters.preheader import preheader_html
from newsletters.templates import compile_template, render_mjml

LABELS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "greeting": "ძვირფასო {name},",
        "greeting_anonymous": "ძვირფასო მკითხველო,",
        "read_more": "სრულად",
        "archive": "ბიულეტენი ვებგვერდზე",
        "preferences": "გამოწერის პარამეტრები",
        "unsubscribe": "გამოწერის გაუქმება",
        "why": f"ამ წერილს იღებთ, რადგან გამოწერილი გაქვთ {COMMISSION_GENITIVE['ka']} სიახლეები.",
        "organisation": SECRETARIAT["ka"],
        "logo": f"{COMMISSION['ka']}: ლოგო",
    },
    "en": {
        "greeting": "Dear {name},",
        "greeting_anonymous": "Dear reader,",
        "read_more": "Read more",
        "archive": "View this newsletter online",
        "preferences": "Subscription preferences",
        "unsubscribe": "Unsubscribe",
        "why": f"You receive this mail because you subscribed to news of the {COMMISSION['en']}.",
        "organisation": SECRETARIAT["en"],
        "logo": f"{COMMISSION['en']}: logo",
    },
}
PERSONAL_FIELDS: Final = ("greeting", "subscriber_name", "unsubscribe_url", "preferences_url")
MAX_NAME_LENGTH: Final = 100
CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


@dataclass(frozen=True)
class EditionEntry:
    """One entry as a newsletter shows it."""

    title: str
    summary: str
    url: str
    image_url: str | None = None
    kind: str = "news"
    image_alt: str = ""  # the cover's alt text in the edition's language, else the title
    image_width: int | None = None  # as shown in the mail, in CSS pixels
    image_height: int | None = None


@dataclass(frozen=True)
class EditionContent:
    """What a campaign says in one language."""

    lang: str
    subject: str
    intro: str
    entries: list[EditionEntry]
    archive_url: str
    logo_url: str = ""


@dataclass(frozen=True)
class Personal:
    """What differs from one recipient to the next."""

    name: str
    unsubscribe_url: str
    preferences_url: str


@dataclass(frozen=True)
class Placeholders:
    """Tokens standing for personal parts in a rendered edition; a random nonce stops content forging them."""

    nonce: str = field(default_factory=lambda: secrets.token_hex(6))

    def token(self, part: str, name: str) -> str:
        return f"[[scmi-{self.nonce}-{part}-{name}]]"

    def pattern(self) -> re.Pattern[bytes]:
        return re.compile(rb"\[\[scmi-" + self.nonce.encode() + rb"-(html|text)-([a-z_]+)\]\]")


@dataclass(frozen=True)
class Edition:
    """A campaign rendered in one language: HTML and text with placeholders for personal parts."""

    lang: str
    subject: str
    html: str
    text: str
    placeholders: Placeholders


def clean_line(value: str, limit: int = MAX_NAME_LENGTH) -> str:
    """One line of text with no control characters (they could break headers or layout)."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value).split())[:limit]


def greeting(lang: str, name: str) -> str:
    """The opening line for a recipient."""
    labels = LABELS[lang]
    name = clean_line(name)
    return labels["greeting"].format(name=name) if name else labels["greeting_anonymous"]


def template_context(
    content: EditionContent, personal: dict[str, str], labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """The placeholders a template may use."""
    return {
        "lang": content.lang,
        "subject": content.subject,
        "intro": content.intro,
        "intro_html": Markup(render_body(content.intro)),  # noqa: S704 (sanitised by render_body)
        "preheader": preheader_html(content.intro),
        "logo_url": content.logo_url,
        "entries": content.entries,
        "archive_url": content.archive_url,
        "labels": LABELS[content.lang] | (labels or {}),
        **personal,
    }


def sample_content(lang: str) -> EditionContent:
    """Sample data for validating and previewing templates."""
    title = {"ka": "კომისიის 32-ე სხდომა", "en": "The 32nd sitting of the Commission"}[lang]
    return EditionContent(
        lang=lang,
        subject={"ka": "სიახლეები", "en": "News"}[lang],
        intro={
            "ka": "გაცნობებთ კომისიის **უახლეს** საქმიანობას.",
            "en": "Here is the Commission's **latest** work.",
        }[lang],
        entries=[
            EditionEntry(title=title, summary="…", url="https://migration.commission.ge/", image_url=None),
        ],
        archive_url="https://migration.commission.ge/newsletters/",
    )


def sample_personal(lang: str) -> dict[str, str]:
    """Sample personal parts, as a recipient would see them."""
    return {
        "greeting": greeting(lang, {"ka": "ნინო", "en": "Nino"}[lang]),
        "subscriber_name": {"ka": "ნინო", "en": "Nino"}[lang],
        "unsubscribe_url": "https://newsroom.example/subscriptions/unsubscribe/sample",
        "preferences_url": "https://newsroom.example/subscriptions/preferences/sample",
    }


def render_edition(
    template_source: str, content: EditionContent, *, labels: dict[str, str] | None = None
) -> Edition:
    """Render once per campaign and language; personal parts stay as tokens for cheap substitution.

    `labels` overrides some of LABELS (the footer of mail to an audience other than lists)."""
    placeholders = Placeholders()
    html_tokens = {name: placeholders.token("html", name) for name in PERSONAL_FIELDS}
    text_tokens = {name: placeholders.token("text", name) for name in PERSONAL_FIELDS}
    mjml_source = compile_template(template_source).render(template_context(content, html_tokens, labels))
    return Edition(
        lang=content.lang,
        subject=clean_line(content.subject, 300),
        html=render_mjml(mjml_source),
        text=render_text(content, text_tokens, labels),
        placeholders=placeholders,
    )


def render_text(
    content: EditionContent, personal: dict[str, str], overrides: dict[str, str] | None = None
) -> str:
    """The plain-text part, written from the same content as the HTML: readable, with its links."""
    labels = LABELS[content.lang] | (overrides or {})
    lines = [content.subject, "=" * min(len(content.subject), 72), "", personal["greeting"], ""]
    lines += [markdown_to_text(content.intro, 72)]
    for entry in content.entries:
        lines += ["", f"* {entry.title}"]
        if entry.summary:
            lines.append(textwrap.fill(entry.summary, 72, initial_indent="  ", subsequent_indent="  "))
        lines.append(f"  {labels['read_more']}: {entry.url}")
    lines += [
        "",
        f"{labels['archive']}: {content.archive_url}",
        "",
        "-- ",
        labels["organisation"],
        labels["why"],
        f"{labels['preferences']}: {personal['preferences_url']}",
        f"{labels['unsubscribe']}: {personal['unsubscribe_url']}",
        "",
    ]
    return "\n".join(lines)


def preview(template_source: str, lang: str) -> tuple[str, str]:
    """A template rendered with sample data: (html, text)."""
    content = sample_content(lang)
    personal = sample_personal(lang)
    html = render_mjml(compile_template(template_source).render(template_context(content, personal)))
    return html, render_text(content, personal)


def sample_mail_html(template_source: str, lang: str) -> str:
    """A template's HTML part as a sample reader is mailed it: one edition rendered, their slots filled."""
    edition = render_edition(template_source, sample_content(lang))
    values = sample_personal(lang)
    # The slots are filled and escaped as a mail's are, so the preview is the mail, not a look-alike.
    return (
        edition.placeholders.pattern()
        .sub(
            lambda match: html_escaping.escape(values.get(match.group(2).decode(), "")).encode(),
            edition.html.encode(),
        )
        .decode()
    )
