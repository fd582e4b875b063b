"""`scmi demo` fills a database with a living bilingual newsroom, and a second run changes nothing."""

import httpx
from click.testing import CliRunner

import piccolo_conf
from newsletters.campaigns.states import list_campaigns
from newsletters.lists import public_lists
from newsletters.template_store import list_templates
from newsletters.templates import DEFAULT_TEMPLATE_NAMES
from service.cli import main
from service.demo.content import CAMPAIGN_SLUG, ENTRIES, TOPICS
from service.demo.loader import database_is_empty, load_demo
from service.settings import Settings
from tests.conftest import Database
from tests.feed_clients import parse_calendar, parse_xml_feed


async def _row_counts() -> dict[str, int]:
    counts = {}
    for app in piccolo_conf.APP_REGISTRY.app_configs.values():
        for table in app.table_classes:
            counts[table._meta.tablename] = await table.count()
    return counts


async def test_demo_loads_once_and_the_api_and_feeds_show_it(
    settings: Settings, client: httpx.AsyncClient, db: Database
) -> None:
    assert await database_is_empty()
    first = await load_demo(settings)
    assert first.entries == len(ENTRIES) and first.topics == len(TOPICS) and first.lists == 2
    assert first.staff_created is not None  # no staff yet: a demo editor (without a token) is made
    assert (first.templates, first.campaigns) == (len(DEFAULT_TEMPLATE_NAMES), 1)
    counts = await _row_counts()
    again = await load_demo(settings)
    assert (again.entries, again.topics, again.lists, again.assets, again.staff_created) == (0, 0, 0, 0, None)
    assert (again.templates, again.campaigns) == (0, 0)
    assert await _row_counts() == counts
    assert not await database_is_empty()

    for lang in ("ka", "en"):
        news = (await client.get(f"/api/v1/news?lang={lang}")).json()["items"]
        assert len(news) == sum(entry.kind == "news" for entry in ENTRIES)
        assert all(item["lang"] == lang for item in news)
        calendar = parse_calendar((await client.get(f"/feeds/{lang}/events.ics")).content)
        events = calendar.walk("VEVENT")
        assert len(events) == 2
        assert all(str(event.get("LOCATION")) for event in events)
        rss = parse_xml_feed((await client.get(f"/feeds/{lang}/all.rss")).content)
        assert len(rss.entries) == len(ENTRIES)

    materials = (await client.get("/api/v1/materials?lang=en")).json()["items"]
    photos = next(item for item in materials if item["material_type"] == "photo_set")
    assert len(photos["attachments"]) == 3 and photos["cover"]["mime"] == "image/jpeg"
    cover = await client.get(photos["cover"]["url"])
    assert cover.status_code == 200 and cover.content.startswith(b"\xff\xd8")
    report = next(item for item in materials if item["material_type"] == "report")
    assert "application/pdf" in {asset["mime"] for asset in report["attachments"]}
    event = (await client.get("/api/v1/events?lang=ka")).json()["items"][0]
    assert event["timezone"] == "Asia/Tbilisi" and event["location"]
    call = (await client.get("/api/v1/announcements?lang=en")).json()["items"][0]
    assert call["deadline"] and call["external_url"].startswith("https://")
    assert {row["slug"] for row in await public_lists()} == {"press", "partners"}

    assert {template.slug for template in await list_templates()} == set(DEFAULT_TEMPLATE_NAMES)
    [campaign] = await list_campaigns()
    assert (campaign.slug, campaign.status, campaign.template) == (CAMPAIGN_SLUG, "draft", "newsletter")
    assert set(campaign.lists) == {"press", "partners"}
    assert campaign.from_address and campaign.counts.recipients == 0  # a draft: nobody is mailed
    assert any("\u10d0" <= char <= "\u10ff" for char in campaign.subject["ka"])  # Georgian script
    assert campaign.subject["en"].isascii() and campaign.intro["ka"] and campaign.intro["en"]
    english_news = {item["id"] for item in (await client.get("/api/v1/news?lang=en")).json()["items"]}
    assert campaign.entries and {str(entry) for entry in campaign.entries} <= english_news


def test_the_demo_command_loads_into_an_empty_database_only_when_asked(
    settings: Settings, db: Database
) -> None:
    env = {"DATA_DIR": str(settings.data_dir), "DATABASE_URL": db.url}
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "--if-empty"], env=env)
    assert result.exit_code == 0, result.output
    assert f"{len(ENTRIES)} entries" in result.output
    assert f"{len(DEFAULT_TEMPLATE_NAMES)} templates, 1 draft campaign" in result.output
    again = runner.invoke(main, ["demo", "--if-empty"], env=env)
    assert again.exit_code == 0 and "not loaded" in again.output
    plain = runner.invoke(main, ["demo"], env=env)
    assert plain.exit_code == 0 and "0 entries" in plain.output
    assert "0 templates, 0 draft campaigns" in plain.output
