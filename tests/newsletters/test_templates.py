"""Templates: MJML with Jinja, refused with a reason and a line when they are wrong."""

import pytest

from core.errors import Invalid
from newsletters.rendering import preview, sample_content, sample_personal, template_context
from newsletters.templates import default_templates, validate_template

GOOD = """<mjml>
  <mj-body>
    <mj-section><mj-column>
      <mj-text>{{ greeting }} {{ intro_html }}</mj-text>
      <mj-text><a href="{{ unsubscribe_url }}">{{ labels.unsubscribe }}</a></mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>"""


def sample(lang: str = "ka") -> dict[str, object]:
    return template_context(sample_content(lang), sample_personal(lang))


def refusal(source: str) -> str:
    with pytest.raises(Invalid) as caught:
        validate_template(source, sample())
    assert caught.value.field == "mjml"
    return caught.value.detail


def test_good_template_renders_html_without_remote_fonts() -> None:
    html = validate_template(GOOD, sample())
    assert "<html" in html
    assert "fonts.googleapis" not in html
    assert "https://newsroom.example/subscriptions/unsubscribe/sample" in html


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (
            GOOD.replace("<mj-text>{{ greeting }}", "<mj-txt>{{ greeting }}", 1),
            "line 4: unknown MJML tag <mj-txt>",
        ),
        (
            GOOD.replace("<mj-section>", '<mj-include path="/etc/passwd" /><mj-section>'),
            "unknown MJML tag <mj-include>",
        ),
        (GOOD.replace("{{ greeting }}", "{% if %}"), "line 4:"),
        (GOOD.replace("{{ unsubscribe_url }}", "#"), "unsubscribe"),
        (GOOD.replace("{{ greeting }}", "{{ secret_key }}"), "unknown placeholder"),
        (GOOD.replace("{{ greeting }}", "{{ ''.__class__.__mro__ }}"), "not allowed"),
        ("<html><body>{{ unsubscribe_url }}</body></html>", "must start with <mjml>"),
        (GOOD.replace("</mjml>", ""), "does not render"),
    ],
)
def test_bad_templates_are_refused_with_a_reason(source: str, reason: str) -> None:
    assert reason in refusal(source)


@pytest.mark.parametrize("template", default_templates(), ids=lambda t: t.slug)
@pytest.mark.parametrize("lang", ["ka", "en"])
def test_default_templates_validate_in_both_languages(template: object, lang: str) -> None:
    html = validate_template(template.mjml, sample(lang))  # type: ignore[attr-defined]
    assert sample_content(lang).entries[0].title in html
    assert "unsubscribe/sample" in html


def test_preview_gives_html_and_text() -> None:
    html, text = preview(GOOD, "en")
    assert "Dear Nino," in html
    assert "Dear Nino," in text
    assert "Unsubscribe: https://newsroom.example/subscriptions/unsubscribe/sample" in text
