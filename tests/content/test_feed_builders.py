"""The pure feed builders: given items in, valid RSS, Atom, JSON Feed and iCalendar out."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from content.feeds.atom import build_atom
from content.feeds.ics import build_calendar
from content.feeds.jsonfeed import build_json_feed
from content.feeds.model import Alternate, Category, Enclosure, EventInfo, FeedItem, FeedMeta
from content.feeds.newsletters import SentNewsletter, build_newsletter_rss
from content.feeds.rss import build_rss
from tests.feed_clients import parse_any, parse_calendar, parse_json_feed, parse_xml_feed

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
BUILDERS = {"rss": build_rss, "atom": build_atom, "json": build_json_feed, "ics": build_calendar}


def meta(**changes: object) -> FeedMeta:
    base = FeedMeta(
        feed_id="urn:uuid:6f1c2a2e-4b9a-5d3e-9a57-5c4d0b1e7a11",
        title="სიახლეები — მიგრაციის საკითხთა სამთავრობო კომისია",
        description="სიახლეები — სამდივნოს არხი.",
        lang="ka",
        self_url="https://api.test/feeds/ka/news.rss",
        home_url="https://site.test/ka/",
        updated=T0 + timedelta(hours=5),
        logo_url="https://site.test/logo.png",
        author="მიგრაციის საკითხთა სამთავრობო კომისია",
        alternates=(Alternate(lang="en", url="https://api.test/feeds/en/news.rss", title="News"),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def item(number: int = 1, **changes: object) -> FeedItem:
    base = FeedItem(
        guid=f"urn:uuid:00000000-0000-5000-8000-00000000000{number}",
        url=f"https://site.test/ka/news/sitting-{number}",
        title=f"კომისიის {number}-ე სხდომა",
        summary="მოკლე აღწერა",
        content_html="<p>კომისიამ <strong>დაამტკიცა</strong> სამოქმედო გეგმა.</p>",
        author="Nino",
        published=T0 + timedelta(hours=number),
        updated=T0 + timedelta(hours=number, minutes=5),
        lang="ka",
        categories=(Category(term="emigration", label="ემიგრაცია"),),
        enclosure=Enclosure(url=f"https://site.test/media/{number}.jpg", length=48213, mime="image/jpeg"),
        alternates=(
            Alternate(lang="en", url=f"https://site.test/en/news/sitting-{number}", title="Sitting"),
        ),
        sequence=3,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def event_item(**changes: object) -> FeedItem:
    tbilisi = ZoneInfo("Asia/Tbilisi")
    event = EventInfo(
        starts_at=datetime(2026, 12, 18, 10, 0, tzinfo=tbilisi),
        ends_at=datetime(2026, 12, 18, 13, 0, tzinfo=tbilisi),
        timezone="Asia/Tbilisi",
        location="Public Service Hall, Tbilisi",
        online_url="https://meet.test/sitting",
    )
    base = item(
        9, url="https://site.test/en/events/migrants-day", lang="en", title="Migrants Day", event=event
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_rss_items_carry_links_enclosure_alternate_categories_author_and_times() -> None:
    parsed = parse_xml_feed(build_rss(meta(), [item(2), item(1)]))
    assert parsed.version == "rss20"
    first = parsed.entries[0]
    assert [entry.title for entry in parsed.entries] == ["კომისიის 2-ე სხდომა", "კომისიის 1-ე სხდომა"]
    assert first.link == "https://site.test/ka/news/sitting-2"
    assert first.id == "urn:uuid:00000000-0000-5000-8000-000000000002"
    assert first.guidislink is False
    assert [dict(enclosure) for enclosure in first.enclosures] == [
        {"href": "https://site.test/media/2.jpg", "length": "48213", "type": "image/jpeg"}
    ]
    alternates = [link for link in first.links if link.get("hreflang") == "en"]
    assert [link.href for link in alternates] == ["https://site.test/en/news/sitting-2"]
    assert [tag.term for tag in first.tags] == ["ემიგრაცია"]
    assert first.author == "Nino"
    assert first.summary == "მოკლე აღწერა"
    assert "<strong>დაამტკიცა</strong>" in first.content[0].value
    assert first.published_parsed[:5] == (2026, 11, 20, 11, 30)
    assert first.updated_parsed[:5] == (2026, 11, 20, 11, 35)


def test_atom_keeps_enclosure_and_hreflang_attributes_feedgen_would_drop() -> None:
    parsed = parse_xml_feed(build_atom(meta(), [item()]))
    assert parsed.version == "atom10"
    links = {(link.rel, link.get("hreflang")): link for link in parsed.entries[0].links}
    enclosure = links[("enclosure", None)]
    assert (enclosure.href, enclosure.length, enclosure.type) == (
        "https://site.test/media/1.jpg",
        "48213",
        "image/jpeg",
    )
    assert links[("alternate", "ka")].href == "https://site.test/ka/news/sitting-1"
    assert links[("alternate", "en")].href == "https://site.test/en/news/sitting-1"
    entry = parsed.entries[0]
    assert entry.link == "https://site.test/ka/news/sitting-1"  # its own page, not the translation
    assert entry.id == "urn:uuid:00000000-0000-5000-8000-000000000001"
    assert entry.updated_parsed[:5] == (2026, 11, 20, 10, 35)
    assert entry.published_parsed[:5] == (2026, 11, 20, 10, 30)
    assert [(tag.term, tag.label) for tag in entry.tags] == [("emigration", "ემიგრაცია")]


@pytest.mark.parametrize("format_", ["rss", "atom"])
def test_xml_feed_level_self_link_language_titles_logo_and_updated(format_: str) -> None:
    parsed = parse_xml_feed(BUILDERS[format_](meta(), [item()]))
    feed = parsed.feed
    assert feed.title == "სიახლეები — მიგრაციის საკითხთა სამთავრობო კომისია"
    assert feed.language == "ka"
    assert feed.updated_parsed[:5] == (2026, 11, 20, 14, 30)
    rels = {(link.rel, link.get("hreflang")): link.href for link in feed.links}
    assert rels[("self", None)] == "https://api.test/feeds/ka/news.rss"
    assert feed.link == "https://site.test/ka/"
    if format_ == "rss":
        assert feed.image.href == "https://site.test/logo.png"
        assert feed.subtitle == "სიახლეები — სამდივნოს არხი."
    else:
        assert feed.logo == "https://site.test/logo.png"
        assert rels[("alternate", "en")] == "https://api.test/feeds/en/news.rss"
        assert feed.author == "მიგრაციის საკითხთა სამთავრობო კომისია"
        assert [link.type for link in feed.links if link.rel == "self"] == ["application/atom+xml"]


def test_json_feed_items_with_attachment_translations_and_event() -> None:
    document = parse_json_feed(build_json_feed(meta(), [event_item(), item()]))
    assert document["language"] == "ka"
    assert document["feed_url"] == "https://api.test/feeds/ka/news.rss"
    assert document["icon"] == "https://site.test/logo.png"
    event, news = document["items"]
    assert news["attachments"] == [
        {"url": "https://site.test/media/1.jpg", "mime_type": "image/jpeg", "size_in_bytes": 48213}
    ]
    assert news["_scmi"]["translations"] == [
        {"lang": "en", "url": "https://site.test/en/news/sitting-1", "title": "Sitting"}
    ]
    assert news["tags"] == ["ემიგრაცია"]
    assert news["authors"] == [{"name": "Nino"}]
    assert event["_scmi"]["event"]["location"] == "Public Service Hall, Tbilisi"
    assert event["_scmi"]["event"]["timezone"] == "Asia/Tbilisi"
    assert "2026-12-18 10:00–13:00 (Asia/Tbilisi)" in event["content_html"]


@pytest.mark.parametrize("format_", ["rss", "atom"])
def test_xml_events_carry_start_end_and_place(format_: str) -> None:
    entry = parse_xml_feed(BUILDERS[format_](meta(lang="en"), [event_item()])).entries[0]
    assert entry.ev_startdate == "2026-12-18T10:00:00+04:00"
    assert entry.ev_enddate == "2026-12-18T13:00:00+04:00"
    assert entry.ev_location == "Public Service Hall, Tbilisi"
    assert "Where" in entry.content[0].value


def test_calendar_event_has_uid_dtstamp_zoned_times_vtimezone_location_url_and_status() -> None:
    cancelled = event_item(guid="urn:uuid:cancelled", event=replace(event_item().event, cancelled=True))  # type: ignore[type-var]
    calendar = parse_calendar(build_calendar(meta(lang="en"), [event_item(), cancelled, item()]))
    events = calendar.walk("VEVENT")
    assert len(events) == 2  # the item without event data is not an event
    event = events[0]
    assert str(event["uid"]) == "urn:uuid:00000000-0000-5000-8000-000000000009"
    assert event["dtstamp"].dt == T0 + timedelta(hours=9, minutes=5)
    assert event["dtstart"].params["TZID"] == "Asia/Tbilisi"
    assert event["dtstart"].dt == datetime(2026, 12, 18, 10, 0, tzinfo=ZoneInfo("Asia/Tbilisi"))
    assert event["dtend"].dt.hour == 13
    assert str(event["location"]) == "Public Service Hall, Tbilisi"
    assert str(event["url"]) == "https://site.test/en/events/migrants-day"
    assert str(event["status"]) == "CONFIRMED"
    assert str(events[1]["status"]) == "CANCELLED"
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Tbilisi"]
    assert str(calendar["x-wr-calname"]) == meta().title


@pytest.mark.parametrize("format_", BUILDERS)
def test_equal_content_gives_equal_bytes(format_: str) -> None:
    items = [event_item(), item(2), item(1)]
    assert BUILDERS[format_](meta(), items) == BUILDERS[format_](meta(), list(items))


@pytest.mark.parametrize("format_", BUILDERS)
def test_an_empty_feed_is_valid(format_: str) -> None:
    parse_any(format_, BUILDERS[format_](meta(logo_url=None, alternates=()), []))


HOSTILE = {
    "controls": "Sitting\x00\x01\x02\x03\x08\x0b\x0c\x0e\x1f\x7f\x85 adopted",
    "cdata_end": "A ]]> B <![CDATA[ x ]]> </title></item><item>",
    "markup": "<script>alert(1)</script> &amp; &nbsp; &#0; &#x1; <b>bold",
    "lone_surrogates": "broken \ud800 pair \udfff end",
    "rtl_marks": "\u200f\u202eמיגרציה\u202c ‏«ციტატა»\u200e",
    "huge": "სხდომა " * 15_000,  # about 100 KB of UTF-8
    "non_characters": "x\ufffe\uffff\U0010ffff y",
    "newlines": "line one\r\nline two\rthree\n\n",
    "empty_like": " \t \n ",
}


@pytest.mark.parametrize("format_", BUILDERS)
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_anywhere_still_gives_a_valid_feed(format_: str, name: str) -> None:
    text = HOSTILE[name]
    hostile = event_item(
        title=text,
        summary=text,
        content_html=f"<p>{text}</p>",
        author=text,
        categories=(Category(term="topic", label=text),),
        alternates=(Alternate(lang="ka", url="https://site.test/ka/events/x", title=text),),
        event=replace(event_item().event, location=text),  # type: ignore[type-var]
    )
    body = BUILDERS[format_](meta(title=text, description=text), [hostile, item()])
    parsed = parse_any(format_, body)
    if format_ in {"rss", "atom"}:
        assert len(parsed.entries) == 2
        assert len(parsed.entries[0].title) <= 1_000
    elif format_ == "json":
        assert len(parsed["items"]) == 2
    else:
        assert len(parsed.walk("VEVENT")) == 1


def test_newsletter_archive_is_valid_empty_and_newest_first_when_filled() -> None:
    empty = parse_xml_feed(build_newsletter_rss(meta(title="ბიულეტენები"), []))
    assert empty.entries == []
    assert empty.feed.title == "ბიულეტენები"
    sent = [
        SentNewsletter(
            guid=f"urn:uuid:newsletter-{day}",
            url=f"https://api.test/newsletters/ka/issue-{day}",
            subject=f"ბიულეტენი {day}",
            intro="შესავალი",
            body_html="<p>ტექსტი</p>",
            sent_at=T0 + timedelta(days=day),
            lang="ka",
        )
        for day in (1, 3, 2)
    ]
    parsed = parse_xml_feed(build_newsletter_rss(meta(), sent))
    assert [entry.title for entry in parsed.entries] == ["ბიულეტენი 3", "ბიულეტენი 2", "ბიულეტენი 1"]
