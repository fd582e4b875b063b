"""What a draft may hold, checked by the domain: both subjects, known lists and entries, one-line headers."""

import pytest

from core.errors import Conflict, Invalid
from newsletters.campaigns import states
from newsletters.campaigns.drafts import frozen_content
from newsletters.tables import Campaign
from tests.conftest import Database
from tests.newsletters.campaigns.helpers import SITE, campaign_in, partners


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("subject", {"subject": {"ka": "მხოლოდ ქართულად"}}),
        ("subject.en", {"subject": {"ka": "ა", "en": "Line\r\nBcc: all@example.org"}}),
        ("from_name", {"from_name": "SCMI\nBcc: all@example.org"}),
        ("from_address", {"from_address": "x@y\r\nBcc: all@example.org"}),
        ("lists", {"lists": ["nowhere"]}),
        ("lists", {"lists": []}),
        ("entries", {"entries": ["00000000-0000-0000-0000-000000000001"]}),
        ("slug", {"slug": "../../etc"}),
    ],
)
async def test_a_draft_that_breaks_a_rule_is_refused_naming_the_field(
    db: Database, field: str, change: dict[str, object]
) -> None:
    await partners()
    with pytest.raises(Invalid) as refused:
        await states.create_campaign(campaign_in(**change))
    assert refused.value.field == field
    assert await Campaign.count() == 0


async def test_slugs_are_given_when_absent_and_never_shared(db: Database) -> None:
    await partners()
    first = await states.create_campaign(campaign_in())
    assert first.slug[:4].isdigit() and len(first.slug) == len("2026-12-02-") + 6
    await states.create_campaign(campaign_in(slug="november"))
    with pytest.raises(Conflict):
        await states.create_campaign(campaign_in(slug="november"))
    with pytest.raises(Conflict):
        await states.change_campaign(first.id, campaign_in(slug="november"))


async def test_frozen_content_links_each_language_to_its_archive_page(db: Database) -> None:
    await partners()
    draft = await states.create_campaign(campaign_in(slug="december"))
    row = await Campaign.select().output(load_json=True).where(Campaign.id == draft.id).first()
    assert row is not None
    content = await frozen_content(row, SITE)
    assert content == {
        lang: {
            "entries": [],
            "archive_url": f"https://newsroom.test/newsletters/{lang}/december",
            "logo_url": "",
        }
        for lang in ("ka", "en")
    }
