"""Public links and permanent ids of feeds and their items."""

from uuid import UUID

from content.feeds.catalogue import FeedSpec, parse_feed_name, parse_topic_feed_name
from content.feeds.links import FeedSite, feed_id, item_guid

ENTRY = UUID("0b7c1e2a-5d1f-4c3e-9a0b-1c2d3e4f5a6b")


def test_entry_urls_follow_the_template_of_their_kind() -> None:
    site = FeedSite(
        public_url="https://api.test",
        website_url="https://migration.test",
        url_templates={"news": "https://migration.commission.test/{lang}/news/{slug}"},
    )
    assert (
        site.entry_url("news", "ka", "skhdoma", ENTRY) == "https://migration.commission.test/ka/news/skhdoma"
    )
    assert site.entry_url("events", "en", "day", ENTRY) == "https://migration.test/en/events/day"
    assert site.entry_url("events", "en", "a/b?c", ENTRY) == "https://migration.test/en/events/a%2Fb%3Fc"
    assert (
        site.feed_url(FeedSpec(lang="ka", format="rss", kind="news")) == "https://api.test/feeds/ka/news.rss"
    )


def test_ids_are_permanent_and_distinct_per_language() -> None:
    assert item_guid(ENTRY, "ka") == item_guid(ENTRY, "ka")
    assert item_guid(ENTRY, "ka") != item_guid(ENTRY, "en")
    assert item_guid(ENTRY, "ka") == "urn:uuid:" + str(UUID(item_guid(ENTRY, "ka")[9:]))
    assert feed_id(FeedSpec(lang="ka", format="rss", kind="news")) != feed_id(
        FeedSpec(lang="en", format="rss", kind="news")
    )


def test_feed_names() -> None:
    assert parse_feed_name("ka", "all.json") == FeedSpec(lang="ka", format="json", kind="all")
    assert parse_feed_name("en", "events.ics") == FeedSpec(lang="en", format="ics", kind="events")
    assert parse_feed_name("en", "newsletters.rss") == FeedSpec(lang="en", format="rss", kind="newsletters")
    assert parse_feed_name("en", "news.ics") is None
    assert parse_feed_name("de", "news.rss") is None
    assert parse_topic_feed_name("ka", "emigration.atom") == FeedSpec(
        lang="ka", format="atom", topic="emigration"
    )
    assert parse_topic_feed_name("ka", "emigration.ics") is None
