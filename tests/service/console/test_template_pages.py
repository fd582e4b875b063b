"""The console's template pages on both databases: list, edit with errors at their line, preview."""

import html
import re

from markupsafe import escape

from newsletters.rendering import sample_mail_html
from newsletters.template_store import get_template
from newsletters.templates import PLACEHOLDERS
from service.console.texts import TEXTS
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import sign_in_as

GOOD = """<mjml>
  <mj-body>
    <mj-section><mj-column>
      <mj-text>{{ greeting }} {{ intro_html }}</mj-text>
      <mj-text><a href="{{ unsubscribe_url }}">{{ labels.unsubscribe }}</a></mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>"""
ERROR_LINK = re.compile(r'<div class="error-summary".*?<a href="#(\w[\w.]*)">', re.DOTALL)


def fields(mjml: str = GOOD, slug: str = "plain") -> dict[str, str]:
    return {"slug": slug, "name.ka": "მარტივი", "name.en": "Plain", "mjml": mjml, "action": "save"}


async def test_an_editor_lists_creates_edits_and_previews_a_template(console: ConsoleClient) -> None:
    await sign_in_as(console, "editor", lang="en")
    listing = await console.get("/console/templates/")
    assert listing.status_code == 200
    for slug in ("newsletter", "announcement", "digest"):
        assert f'href="/console/templates/{slug}"' in listing.text
        assert f'href="/console/templates/{slug}/preview/ka"' in listing.text
    assert 'href="/console/templates/"' in (await console.get("/console/")).text  # in the header

    new = await console.get("/console/templates/new")
    assert new.status_code == 200
    for placeholder in PLACEHOLDERS:  # each documented beside the editor, with what it gives
        assert f"<dt><code>{{{{ {placeholder} }}}}</code></dt>" in new.text
    assert "&lt;mjml" in new.text  # starts from the newsletter template

    saved = await console.submit("/console/templates/new", "/console/templates/new", fields())
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/console/templates/plain?saved=1"
    page = await console.get(saved.headers["location"])
    assert "The template is saved." in page.text
    assert (await get_template("plain")).name == {"ka": "მარტივი", "en": "Plain"}

    changed = GOOD.replace("{{ greeting }}", "{{ subscriber_name }}")
    again = await console.submit("/console/templates/plain", "/console/templates/plain", fields(changed))
    assert again.status_code == 303
    assert (await get_template("plain")).mjml == changed

    for lang, words in (("ka", "ნინო"), ("en", "Nino")):
        preview = await console.get(f"/console/templates/plain/preview/{lang}")
        assert preview.status_code == 200
        mail_path = f"/console/templates/plain/preview/{lang}/mail"
        assert preview.text.count(f'<iframe class="desktop" sandbox src="{mail_path}"') == 1
        assert preview.text.count(f'<iframe class="phone" sandbox src="{mail_path}"') == 1
        assert "frame-src 'self'" in preview.headers["content-security-policy"]
        mail = await console.get(mail_path)
        assert mail.status_code == 200
        policy = mail.headers["content-security-policy"]
        assert "sandbox" in policy and "script-src" not in policy
        assert words in mail.text
        assert mail.text == sample_mail_html(changed, lang)  # what the renderer sends, byte for byte
    assert (await console.get("/console/templates/plain/preview/de")).status_code == 404
    assert (await console.get("/console/templates/missing")).status_code == 404


async def test_a_wrong_template_comes_back_with_its_line_and_nothing_saved(console: ConsoleClient) -> None:
    await sign_in_as(console, "editor", lang="en")
    assert (
        await console.submit("/console/templates/new", "/console/templates/new", fields())
    ).status_code == 303
    cases = {
        4: (GOOD.replace("<mj-text>{{ greeting }}", "<mj-txet>{{ greeting }}"), "unknown MJML tag"),
        5: (GOOD.replace("{{ labels.unsubscribe }}", "{{ password }}"), "unknown placeholder"),
        6: (GOOD.replace("</mj-column>", "{% if %}</mj-column>"), "The template was not saved"),
    }
    for line, (mjml, said) in cases.items():
        refused = await console.submit("/console/templates/plain", "/console/templates/plain", fields(mjml))
        assert refused.status_code == 422, refused.text
        assert said in html.unescape(refused.text)
        found = ERROR_LINK.search(refused.text)
        assert found and found.group(1) == "mjml"  # the error summary links to the editor
        assert f"The error is at line {line}:" in refused.text
        shown = mjml.splitlines()[line - 1]
        assert f'<span class="line-number">{line}</span> {escape(shown)}' in refused.text
        assert f"\n{escape(mjml)}</textarea>" in refused.text  # the person's text is kept in the form
        assert (await get_template("plain")).mjml == GOOD

    no_unsubscribe = await console.submit(
        "/console/templates/plain",
        "/console/templates/plain",
        fields(GOOD.replace("{{ unsubscribe_url }}", "#")),
    )
    assert no_unsubscribe.status_code == 422
    assert "unsubscribe link" in html.unescape(no_unsubscribe.text)
    assert "The error is at line" not in no_unsubscribe.text  # no line is named when none is at fault


async def test_bad_form_fields_are_named_and_a_taken_slug_is_refused(console: ConsoleClient) -> None:
    await sign_in_as(console, "editor", lang="ka")
    texts = TEXTS["ka"]
    empty = await console.submit(
        "/console/templates/new",
        "/console/templates/new",
        {"slug": "no spaces!", "name.ka": "", "name.en": "x" * 201, "mjml": "  "},
    )
    assert empty.status_code == 422
    for field, message in (
        ("slug", "tpl_slug_bad"),
        ("name.ka", "tpl_name_missing_ka"),
        ("name.en", "tpl_name_missing_en"),
        ("mjml", "tpl_mjml_missing"),
    ):
        assert f'<li><a href="#{field}">{html.escape(texts[message])}</a></li>' in empty.text
        assert f'id="{field}"' in empty.text
    taken = await console.submit(
        "/console/templates/new", "/console/templates/new", fields(slug="newsletter")
    )
    assert taken.status_code == 409
    assert html.escape(texts["tpl_slug_taken"]) in taken.text
    assert (await get_template("newsletter")).name["en"] == "Newsletter"


async def test_authors_are_refused_the_template_pages(console: ConsoleClient) -> None:
    await sign_in_as(console, "author", lang="en")
    for path in ("/console/templates/", "/console/templates/new", "/console/templates/newsletter",
                 "/console/templates/newsletter/preview/ka", "/console/templates/newsletter/preview/ka/mail"):  # fmt: skip
        assert (await console.get(path)).status_code == 403, path
    served = await console.get("/console/")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', served.text)
    assert token
    refused = await console.post(
        "/console/templates/newsletter", data={"_csrf_token": token.group(1), **fields(slug="newsletter")}
    )
    assert refused.status_code == 403
    assert (await get_template("newsletter")).mjml != GOOD
    assert 'href="/console/templates/"' not in served.text
