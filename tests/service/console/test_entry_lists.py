"""The console's entry lists on both databases: every filter changes the rows, paging walks each row once."""

import html
import re
from datetime import timedelta

from content.publishing import archive_entry, publish_entry
from content.schemas import PublishIn, TopicIn
from content.topics import create_topic
from core.db import utcnow
from tests.conftest import Database
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import row_ids, sign_in_as, write

OLDER = re.compile(r'<a href="([^"]+)" rel="next">')
NEWER = re.compile(r'<a href="([^"]+)" rel="prev">')


async def _rows(console: ConsoleClient, url: str) -> list[str]:
    page = await console.get(url)
    assert page.status_code == 200, page.text
    return row_ids(page.text)


async def test_each_filter_changes_the_rows(console: ConsoleClient, db: Database) -> None:
    await create_topic(TopicIn(slug="labour", name={"ka": "შრომითი მიგრაცია", "en": "Labour migration"}))
    author = await sign_in_as(console, "author", name="Ana Author")
    editor = await sign_in_as(console, "editor", name="Eka Editor")
    draft = await write(
        "news", author.actor, {"ka": "სეზონური მუშაკები", "en": "Seasonal workers"}, topics=["labour"]
    )
    only_ka = await write(
        "news", editor.actor, {"ka": "კომისიის სხდომაზე განიხილეს სტრატეგია"}, body="სამოქმედო გეგმა"
    )
    only_en = await write("news", editor.actor, {"en": "Returnees find work"}, topics=["labour"])
    await publish_entry("news", only_en, PublishIn(), editor.actor)
    scheduled = await write("news", editor.actor, {"ka": "დაგეგმილი", "en": "Planned"})
    await publish_entry("news", scheduled, PublishIn(at=utcnow() + timedelta(days=2)), editor.actor)
    embargoed = await write("news", editor.actor, {"ka": "ემბარგო", "en": "Under embargo"})
    await publish_entry(
        "news", embargoed, PublishIn(embargo_until=utcnow() + timedelta(hours=3)), editor.actor
    )
    archived = await write("news", editor.actor, {"ka": "არქივი", "en": "Old news"})
    await publish_entry("news", archived, PublishIn(), editor.actor)
    await archive_entry("news", archived, editor.actor)
    event = await write("events", editor.actor, {"ka": "სხდომა", "en": "A sitting"})
    every = {draft, only_ka, only_en, scheduled, embargoed, archived}
    every_text = {str(entry_id) for entry_id in every}

    listed = await console.get("/console/news/")
    assert listed.status_code == 200
    assert set(row_ids(listed.text)) == every_text
    assert str(event) not in listed.text  # another kind's entry is on its own list
    assert row_ids(listed.text)[0] == str(archived)  # the newest change first
    # The English-speaking editor sees the Georgian title where there is no English one, marked so.
    assert f'href="/console/news/{only_ka}" lang="ka">კომისიის სხდომაზე' in listed.text
    assert 'href="/console/news/new"' in listed.text
    assert "Tbilisi time" in listed.text

    by_status = {
        "draft": {draft, only_ka},
        "scheduled": {scheduled},
        "published": {only_en},
        "embargoed": {embargoed},
        "archived": {archived},
    }
    for status, expected in by_status.items():
        rows = await _rows(console, f"/console/news/?status={status}")
        assert set(rows) == {str(entry_id) for entry_id in expected}, status
    assert await _rows(console, "/console/news/?missing=en") == [str(only_ka)]
    assert await _rows(console, "/console/news/?missing=ka") == [str(only_en)]
    assert set(await _rows(console, "/console/news/?topic=labour")) == {str(draft), str(only_en)}
    # Georgian search finds an inflected form (სხდომა → სხდომაზე), in the body's words too.
    assert await _rows(console, "/console/news/?q=სხდომა") == [str(only_ka)]
    assert await _rows(console, "/console/news/?q=გეგმის") == [str(only_ka)]
    assert await _rows(console, "/console/news/?q=returnee") == [str(only_en)]
    assert await _rows(console, f"/console/news/?author={author.id}") == [str(draft)]
    combined = await _rows(console, f"/console/news/?author={editor.id}&status=draft&missing=en")
    assert combined == [str(only_ka)]
    assert await _rows(console, "/console/news/?q=nowhere-to-be-found") == []


async def test_bad_filters_answer_the_form_again_with_an_error_summary(
    console: ConsoleClient, db: Database
) -> None:
    await sign_in_as(console, "author", lang="ka")
    for query, field in [("status=lost", "status"), ("missing=fr", "missing"), ("author=nobody", "author")]:
        page = await console.get(f"/console/news/?{query}")
        assert page.status_code == 422, query
        assert f'<a href="#{field}">' in page.text
        assert 'class="error-summary"' in page.text
        assert '<html lang="ka">' in page.text
    page = await console.get("/console/news/?cursor=not-a-cursor")
    assert page.status_code == 422
    assert '<a href="#results">' in page.text


async def test_paging_walks_every_row_once_both_ways(console: ConsoleClient, db: Database) -> None:
    editor = await sign_in_as(console, "editor")
    written = [
        str(await write("materials", editor.actor, {"en": f"Report {number}", "ka": f"ანგარიში {number}"}))
        for number in range(60)
    ]
    await write("materials", editor.actor, {"en": "Something else"})  # filtered out by the search
    pages: list[list[str]] = []
    urls: list[str] = []
    url: str | None = "/console/materials/?q=report"
    while url is not None:
        urls.append(url)
        page = await console.get(url)
        assert page.status_code == 200
        pages.append(row_ids(page.text))
        assert (NEWER.search(page.text) is not None) == (len(pages) > 1)
        found = OLDER.search(page.text)
        url = html.unescape(found.group(1)) if found else None
        assert url is None or "q=report" in url  # the filters stay on every page
    assert [len(rows) for rows in pages] == [25, 25, 10]
    assert [entry_id for rows in pages for entry_id in rows] == list(reversed(written))

    # Back from the last page by the "newer" links: the same pages, in reverse, then no newer link.
    back: list[list[str]] = []
    page = await console.get(urls[-1])
    while (found := NEWER.search(page.text)) is not None:
        page = await console.get(html.unescape(found.group(1)))
        assert page.status_code == 200
        back.append(row_ids(page.text))
        assert OLDER.search(page.text) is not None
    assert back == [pages[1], pages[0]]


async def test_the_dashboard_links_each_item_to_its_entry_page(console: ConsoleClient, db: Database) -> None:
    author = await sign_in_as(console, "author", lang="ka")
    draft = await write("events", author.actor, {"ka": "შეხვედრა დიასპორასთან"})
    dashboard = await console.get("/console/")
    assert dashboard.status_code == 200
    assert f'<a href="/console/events/{draft}">შეხვედრა დიასპორასთან</a>' in dashboard.text
    assert "ღონისძიებები" in dashboard.text  # the kind named in the staff member's language
    assert '<a href="/console/events/">ღონისძიებები</a>' in dashboard.text  # and in the navigation
