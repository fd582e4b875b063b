"""Outdated translations in the console: the mark beside the language, in lists, and "mark as current"."""

import re
from uuid import UUID

from content.queries import get_entry
from tests.conftest import Database
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import row_ids, sign_in_as, write

TITLES = {"ka": "კომისიის სხდომა", "en": "A sitting of the Commission"}


async def _marks(entry_id: UUID) -> dict[str, bool]:
    shown = await get_entry("news", str(entry_id), None, "ka", staff=True)
    assert isinstance(shown.sources, dict)
    return {lang: source.outdated for lang, source in shown.sources.items()}


def _outdated_notices(page: str) -> list[str]:
    """The languages whose fieldset carries the outdated notice, in page order."""
    return re.findall(
        r'<fieldset class="language" lang="(\w+)">\s*<legend[^>]*>[^<]*</legend>\s*<div class="outdated"',
        page,
    )


async def test_an_english_edit_marks_the_georgian_until_marked_current(
    console: ConsoleClient, db: Database
) -> None:
    author = await sign_in_as(console, "author", lang="ka", name="Eka")
    entry_id = await write("news", author.actor, TITLES)
    page = f"/console/news/{entry_id}"
    assert _outdated_notices((await console.get(page)).text) == []
    saved = await console.submit(
        page,
        page,
        {"ka.title": TITLES["ka"], "en.title": "The Commission sits", "action": "save", "revision": "1"},
    )
    assert saved.status_code == 303, saved.text[:2000]
    served = (await console.get(page)).text
    assert _outdated_notices(served) == ["ka"]
    assert "თარგმანი მოძველებულია" in served and "ტექსტი (English) შეიცვალა" in served
    action = f"/console/news/{entry_id}/translations/ka/current"
    assert f'<form id="current-ka" method="post" action="{action}" hidden>' in served
    assert 'form="current-ka"' in served and 'form="current-en"' not in served

    listed = await console.get("/console/news/?outdated=ka")
    assert row_ids(listed.text) == [str(entry_id)] and "მოძველებულია</span>" in listed.text
    assert row_ids((await console.get("/console/news/?outdated=any")).text) == [str(entry_id)]
    assert row_ids((await console.get("/console/news/?outdated=en")).text) == []
    bad = await console.get("/console/news/?outdated=fr")
    assert bad.status_code == 422 and 'href="#outdated"' in bad.text

    # Another author sees the mark but no button, and may not clear it.
    await sign_in_as(console, "author", name="Other")
    served = (await console.get(page)).text
    assert _outdated_notices(served) == ["ka"] and 'form="current-ka"' not in served
    assert (await console.submit(page, action, {})).status_code == 403
    # Without the form's CSRF token nothing happens either.
    await sign_in_as(console, "author", lang="ka", name="Eka Again")
    assert (await console.post(action, data={})).status_code == 403
    assert await _marks(entry_id) == {"ka": True, "en": False}

    await sign_in_as(console, "editor", lang="en", name="Nino")
    assert (
        await console.submit(page, f"/console/news/{entry_id}/translations/fr/current", {})
    ).status_code == 404
    cleared = await console.submit(page, action, {})
    assert cleared.status_code == 303 and cleared.headers["location"] == f"{page}?done=current"
    served = (await console.get(cleared.headers["location"])).text
    assert "The translation is marked as current." in served and _outdated_notices(served) == []
    assert await _marks(entry_id) == {"ka": False, "en": False}
    assert row_ids((await console.get("/console/news/?outdated=any")).text) == []


async def test_editing_the_georgian_in_the_editor_clears_its_mark(
    console: ConsoleClient, db: Database
) -> None:
    editor = await sign_in_as(console, "editor", lang="en", name="Nino")
    entry_id = await write("news", editor.actor, TITLES)
    page = f"/console/news/{entry_id}"
    fields = {"ka.title": TITLES["ka"], "en.title": "The Commission sits", "action": "save", "revision": "1"}
    await console.submit(page, page, fields)
    served = (await console.get(page)).text
    assert _outdated_notices(served) == ["ka"] and "The English text changed" in served
    listed = (await console.get("/console/news/")).text
    assert "outdated</span>" in listed
    fixed = await console.submit(page, page, {**fields, "ka.title": "კომისია იკრიბება", "revision": "2"})
    assert fixed.status_code == 303
    assert _outdated_notices((await console.get(page)).text) == []
    assert await _marks(entry_id) == {"ka": False, "en": False}
