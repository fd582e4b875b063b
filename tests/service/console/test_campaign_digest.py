"""Drafting a digest from the campaigns page, on both databases: it lands in the composer, entries picked."""

import html
import re
from datetime import timedelta

from content.publishing import publish_entry
from content.schemas import PublishIn
from core.db import utcnow
from newsletters.campaigns.states import list_campaigns
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, ListNames
from service.console.rendering import TBILISI
from service.console.texts import TEXTS
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import sign_in_as, write

DRAFT = re.compile(r"^/console/campaigns/([0-9a-f-]{36})\?saved=1$")


def today() -> str:
    return f"{utcnow().astimezone(TBILISI):%Y-%m-%d}"


async def test_a_digest_is_drafted_from_the_entries_since_a_day(console: ConsoleClient) -> None:
    editor = await sign_in_as(console, "editor", lang="en")
    await create_list(ListIn(slug="press", name=ListNames(ka="პრესა", en="Press")))
    page = await console.get("/console/campaigns/")
    assert 'action="/console/campaigns/digest"' in page.text
    week_ago = f"{utcnow().astimezone(TBILISI) - timedelta(days=7):%Y-%m-%d}"
    assert f'name="since" value="{week_ago}"' in page.text  # a weekly digest is the first suggestion

    nothing = await console.submit(
        "/console/campaigns/", "/console/campaigns/digest", {"since": today(), "lists": "press"}
    )
    assert nothing.status_code == 422
    assert '<li><a href="#since">Nothing was published since then.</a></li>' in nothing.text
    assert await list_campaigns() == []

    titles = []
    for en, ka in (
        ("Border crossing figures", "საზღვრის კვეთის მონაცემები"),
        ("New visa rules", "ვიზის ახალი წესები"),
    ):
        entry = await write("news", editor.actor, {"en": en, "ka": ka}, body="Text.")
        await publish_entry("news", entry, PublishIn(), editor.actor)
        titles.append(en)
    unpublished = await write("news", editor.actor, {"en": "A draft nobody sees", "ka": "მონახაზი"})

    drafted = await console.submit(
        "/console/campaigns/", "/console/campaigns/digest", {"since": today(), "lists": "press"}
    )
    assert drafted.status_code == 303, drafted.text
    found = DRAFT.match(drafted.headers["location"])
    assert found
    composer = await console.get(drafted.headers["location"])
    assert composer.status_code == 200
    assert "Draft saved." in composer.text
    for title in titles:  # the entries are already ticked in the composer
        assert re.search(
            r'name="entries" value="[0-9a-f-]{36}" id="[\w-]+" checked> <label[^>]*>' + title, composer.text
        )
    assert str(unpublished) not in composer.text
    assert 'value="digest" selected' in composer.text
    assert 'value="press" id="lists" checked' in composer.text
    [campaign] = await list_campaigns()
    assert str(campaign.id) == found.group(1)
    assert campaign.status == "draft" and campaign.lists == ["press"] and len(campaign.entries) == 2


async def test_a_wrong_digest_form_is_answered_with_its_errors(console: ConsoleClient) -> None:
    await sign_in_as(console, "editor", lang="ka")
    texts = TEXTS["ka"]
    tomorrow = f"{utcnow().astimezone(TBILISI) + timedelta(days=1):%Y-%m-%d}"
    for since in ("", "yesterday", tomorrow, "2026-02-30"):
        refused = await console.submit("/console/campaigns/", "/console/campaigns/digest", {"since": since})
        assert refused.status_code == 422, since
        assert f'<li><a href="#since">{html.escape(texts["dg_since_bad"])}</a></li>' in refused.text
        assert f'<li><a href="#lists">{html.escape(texts["dg_lists_missing"])}</a></li>' in refused.text
    unknown = await console.submit(
        "/console/campaigns/", "/console/campaigns/digest", {"since": "2026-01-01", "lists": "nowhere"}
    )
    assert unknown.status_code == 422
    assert await list_campaigns() == []


async def test_authors_cannot_draft_a_digest(console: ConsoleClient) -> None:
    await sign_in_as(console, "author", lang="en")
    refused = await console.submit("/console/", "/console/campaigns/digest", {"since": "2026-01-01"})
    assert refused.status_code == 403
    assert await list_campaigns() == []
