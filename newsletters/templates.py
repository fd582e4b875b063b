"""Newsletter templates: MJML with sandboxed Jinja placeholders, validated before they are saved."""

import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import jinja2
import mjml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from core.errors import Invalid

# MJML 4's own tags; mjml-python renders an unknown tag silently, so anything else is refused here.
# mj-include is left out on purpose: it would read files from the server.
MJML_TAGS: Final = frozenset(
    {
        "mjml", "mj-head", "mj-body", "mj-section", "mj-column", "mj-group", "mj-wrapper", "mj-hero",
        "mj-text", "mj-image", "mj-button", "mj-divider", "mj-spacer", "mj-table", "mj-raw",
        "mj-navbar", "mj-navbar-link", "mj-social", "mj-social-element", "mj-accordion",
        "mj-accordion-element", "mj-accordion-title", "mj-accordion-text", "mj-carousel",
        "mj-carousel-image", "mj-attributes", "mj-all", "mj-class", "mj-breakpoint", "mj-font",
        "mj-preview", "mj-style", "mj-title",
    }
)  # fmt: skip
REQUIRED_PLACEHOLDER: Final = "unsubscribe_url"
MAX_TEMPLATE_LENGTH: Final = 200_000
_TAG = re.compile(r"<\s*(mj[a-z-]*)\b", re.IGNORECASE)
DEFAULT_TEMPLATES_DIR: Final = Path(__file__).parent / "default_templates"

environment: Final = ImmutableSandboxedEnvironment(
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class TemplateInvalid(Invalid):
    """A template refused; `line` is the line of its source at fault, when one is known."""

    def __init__(self, detail: str, *, line: int | None = None) -> None:
        super().__init__(f"line {line}: {detail}" if line else detail, field="mjml")
        self.line = line


# Placeholders a template may use, each with what it gives (the console shows this list beside the editor).
PLACEHOLDERS: Final = (
    "lang", "subject", "intro", "intro_html", "preheader", "greeting", "subscriber_name", "entries",
    "entry.title", "entry.summary", "entry.url", "entry.kind", "entry.image_url", "entry.image_alt",
    "entry.image_width", "entry.image_height", "logo_url", "archive_url", "labels",
    "unsubscribe_url", "preferences_url",
)  # fmt: skip


def render_mjml(source: str) -> str:
    """MJML to HTML, with no remote font links."""
    return mjml.mjml2html(source, fonts={}, disable_comments=True)


def _line_of(source: str, position: int) -> int:
    return source.count("\n", 0, position) + 1


def check_tags(source: str) -> None:
    """Refuse tags MJML does not know (they would be sent to readers as raw markup)."""
    for match in _TAG.finditer(source):
        tag = match.group(1).lower()
        if tag not in MJML_TAGS:
            raise TemplateInvalid(f"unknown MJML tag <{tag}>", line=_line_of(source, match.start()))


def compile_template(source: str) -> jinja2.Template:
    """Parse the Jinja layer; a syntax error names its line."""
    try:
        return environment.from_string(source)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateInvalid(error.message or "not a valid template", line=error.lineno) from None


def _failing_line(error: BaseException) -> int | None:
    """The template line a rendering error came from (Jinja puts the template's frames in the traceback)."""
    lines = [
        frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == "<template>"
    ]
    return lines[-1] if lines else None


def validate_template(source: str, sample_context: dict[str, Any]) -> str:
    """Check a template end to end and return its HTML for the sample context.

    It must be MJML of known tags only, valid Jinja, use only known placeholders, contain the
    unsubscribe link, and render.
    """
    if len(source) > MAX_TEMPLATE_LENGTH:
        raise Invalid(f"a template may have at most {MAX_TEMPLATE_LENGTH} characters", field="mjml")
    if not source.lstrip().startswith("<mjml"):
        raise Invalid("a template must start with <mjml>", field="mjml")
    check_tags(source)
    if not re.search(r"{{-?\s*" + REQUIRED_PLACEHOLDER + r"\b", source):
        raise Invalid("the template must contain the unsubscribe link {{ unsubscribe_url }}", field="mjml")
    template = compile_template(source)
    try:
        filled = template.render(sample_context)
    except jinja2.UndefinedError as error:
        raise TemplateInvalid(f"unknown placeholder: {error.message}", line=_failing_line(error)) from None
    except jinja2.exceptions.SecurityError as error:
        raise TemplateInvalid(f"not allowed in a template: {error}", line=_failing_line(error)) from None
    except jinja2.TemplateError as error:
        raise TemplateInvalid(f"the template does not render: {error}", line=_failing_line(error)) from None
    try:
        return render_mjml(filled)
    except ValueError as error:
        raise Invalid(f"the MJML does not render: {error}", field="mjml") from None


@dataclass(frozen=True)
class DefaultTemplate:
    """A template shipped with the product."""

    slug: str
    name: dict[str, str]
    mjml: str


DEFAULT_TEMPLATE_NAMES: Final = {
    "newsletter": {"ka": "საინფორმაციო ბიულეტენი", "en": "Newsletter"},
    "announcement": {"ka": "განცხადება", "en": "Announcement"},
    "digest": {"ka": "კვირის მიმოხილვა", "en": "Weekly digest"},
}


def default_templates() -> list[DefaultTemplate]:
    """The default templates: a newsletter of several entries, a single announcement, a digest."""
    return [
        DefaultTemplate(
            slug=slug, name=names, mjml=(DEFAULT_TEMPLATES_DIR / f"{slug}.mjml").read_text("utf-8")
        )
        for slug, names in DEFAULT_TEMPLATE_NAMES.items()
    ]
