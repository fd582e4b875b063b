"""The template API: defaults seeded, bad MJML answered with 422 naming the line, previews."""

from datetime import timedelta
from typing import Any

import httpx

from newsletters.campaigns import ledger
from service.settings import Settings
from tasks.context import sending_config
from tests.conftest import Staff

GOOD = """<mjml>
  <mj-body>
    <mj-section><mj-column>
      <mj-text>{{ greeting }} {{ intro_html }}</mj-text>
      {% for entry in entries %}<mj-text><a href="{{ entry.url }}">{{ entry.title }}</a></mj-text>{% endfor %}
      <mj-text><a href="{{ unsubscribe_url }}">{{ labels.unsubscribe }}</a></mj-text>
    </mj-column></mj-section>
  </mj-body>
</mjml>
"""


def body(mjml: str, slug: str = "plain") -> dict[str, Any]:
    return {"slug": slug, "name": {"ka": "მარტივი", "en": "Plain"}, "mjml": mjml}


async def test_defaults_are_there_and_previews_render_in_both_languages(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    listed = await client.get("/api/v1/templates", headers=editor)
    assert listed.status_code == 200
    assert [t["slug"] for t in listed.json()] == ["announcement", "digest", "newsletter"]
    for lang, word in (("ka", "გამოწერის გაუქმება"), ("en", "Unsubscribe")):
        preview = await client.post(f"/api/v1/templates/newsletter/preview?lang={lang}", headers=editor)
        assert preview.status_code == 200, preview.text
        assert word in preview.json()["html"] and word in preview.json()["text"]
        assert preview.json()["html"].lstrip().lower().startswith("<!doctype html")
    assert (await client.get("/api/v1/templates", headers=staff.headers("author"))).status_code == 403


async def test_saving_validates_and_names_the_wrong_line(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    saved = await client.post("/api/v1/templates", json=body(GOOD), headers=editor)
    assert saved.status_code == 201, saved.text
    assert (await client.post("/api/v1/templates", json=body(GOOD), headers=editor)).status_code == 409

    unknown_tag = GOOD.replace("<mj-text>{{ greeting", "<mj-txet>{{ greeting").replace(
        "{{ intro_html }}</mj-text>", "{{ intro_html }}</mj-txet>"
    )
    cases = {
        "unknown_tag": (unknown_tag, "line 4: unknown MJML tag <mj-txet>"),
        "no_unsubscribe": (GOOD.replace("{{ unsubscribe_url }}", "#"), "unsubscribe"),
        "bad_jinja": (GOOD.replace("{% endfor %}", ""), "line"),
        "unknown_placeholder": (GOOD.replace("{{ greeting }}", "{{ password }}"), "password"),
        "sandbox": (GOOD.replace("{{ greeting }}", "{{ ''.__class__.__mro__ }}"), "not allowed"),
    }
    for name, (mjml, said) in cases.items():
        refused = await client.post(
            "/api/v1/templates", json=body(mjml, f"bad-{name}".replace("_", "-")), headers=editor
        )
        assert refused.status_code == 422, (name, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert said in refused.text, (name, refused.text)

    changed = await client.put(
        "/api/v1/templates/plain",
        json=body(GOOD.replace("{{ greeting }}", "{{ subscriber_name }}")),
        headers=editor,
    )
    assert changed.status_code == 200 and "subscriber_name" in changed.json()["mjml"]
    assert (
        await client.put("/api/v1/templates/plain", json=body(unknown_tag), headers=editor)
    ).status_code == 422
    assert (await client.get("/api/v1/templates/missing", headers=editor)).status_code == 404


def test_settings_read_the_campaign_variables() -> None:
    settings = Settings.from_env(
        {
            "SMTP_RATE": "25",
            "SMTP_CONNECTIONS": "4",
            "CAMPAIGN_BATCH_SIZE": "500",
            "CAMPAIGN_LEASE_SECONDS": "90",
            "CAMPAIGN_RETRY_SECONDS": "5,10",
            "CAMPAIGN_RECONCILE_SECONDS": "10",
        }
    )
    assert (settings.smtp_rate, settings.smtp_connections, settings.campaign_batch_size) == (25.0, 4, 500)
    assert settings.campaign_lease_seconds == 90
    assert (settings.campaign_retry_seconds, settings.campaign_reconcile_seconds) == ((5, 10), 10)
    assert sending_config(settings).backoff == (timedelta(seconds=5), timedelta(seconds=10))
    defaults = Settings.from_env({})
    assert sending_config(defaults).backoff == ledger.BACKOFF
    assert defaults.campaign_reconcile_seconds == 30
