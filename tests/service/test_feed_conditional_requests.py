"""Conditional-request rules and the feed settings, without a server."""

import gzip
from datetime import UTC, datetime

import pytest

from content.syndication import RenderedFeed
from service.feeds.cache import prepare
from service.feeds.conditional import accepts_gzip, http_date, is_not_modified
from service.settings import Settings

MODIFIED = datetime(2026, 11, 25, 10, 0, 0, 500_000, tzinfo=UTC)
TAGS = ('"abc"', '"abc-gzip"')


@pytest.mark.parametrize(
    ("if_none_match", "if_modified_since", "expected"),
    [
        ('"abc"', None, True),
        ('W/"abc"', None, True),
        ('"x", "abc-gzip"', None, True),
        ("*", None, True),
        ('"x"', None, False),
        ('"x"', "Wed, 25 Nov 2026 10:00:00 GMT", False),  # If-None-Match wins
        (None, "Wed, 25 Nov 2026 10:00:00 GMT", True),  # equal to the second
        (None, "Wed, 25 Nov 2026 09:59:59 GMT", False),
        (None, "Thu, 26 Nov 2026 00:00:00 GMT", True),
        (None, "not a date", False),
        (None, None, False),
    ],
)
def test_is_not_modified(if_none_match: str | None, if_modified_since: str | None, expected: bool) -> None:
    assert is_not_modified(if_none_match, if_modified_since, TAGS, MODIFIED) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("br, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("deflate, br", False),
        (None, False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_http_date_is_imf_fixdate() -> None:
    assert http_date(MODIFIED) == "Wed, 25 Nov 2026 10:00:00 GMT"


def test_website_url_templates_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "PUBLIC_URL": "https://api.test/",
            "WEBSITE_URL": "https://migration.test",
            "WEBSITE_URL_TEMPLATE_NEWS": "{website_url}/{lang}/siakhleebi/{slug}",
        }
    )
    assert settings.resolved_website_url == "https://migration.test"
    assert settings.website_url_template == "{website_url}/{lang}/{kind}/{slug}"
    assert settings.website_url_templates == {"news": "{website_url}/{lang}/siakhleebi/{slug}"}
    assert Settings.from_env({"PUBLIC_URL": "https://api.test"}).resolved_website_url == "https://api.test"


@pytest.mark.parametrize("template", ["{website_url}/{language}/{slug}", "{website_url}/{lang", "{0}/{slug}"])
def test_a_bad_website_url_template_is_refused_at_start(template: str) -> None:
    with pytest.raises(ValueError, match="template"):
        Settings.from_env({"WEBSITE_URL_TEMPLATE": template})


def test_prepared_feeds_have_stable_strong_validators_and_gzip() -> None:
    rendered = RenderedFeed(
        body="<rss>ქართული</rss>".encode(), media_type="application/rss+xml", last_modified=MODIFIED
    )
    first, again = prepare(rendered), prepare(rendered)
    assert first == again  # gzip without a timestamp: equal content, equal bytes and ETags everywhere
    assert gzip.decompress(first.gzipped) == rendered.body
    assert first.etag != first.gzip_etag
    assert first.last_modified_http == "Wed, 25 Nov 2026 10:00:00 GMT"
    other = prepare(RenderedFeed(body=b"<rss/>", media_type="application/rss+xml", last_modified=MODIFIED))
    assert other.etag != first.etag
