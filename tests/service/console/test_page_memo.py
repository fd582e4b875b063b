"""Memoised console pages on both databases: each browser's own CSRF token, each role's own page, writes at once."""

import httpx

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from accounts.staff import change_role
from content.entries import update_entry
from content.schemas import EntryPatch, TranslationPatch
from service.console.session import SESSION_COOKIE
from tests.conftest import Database
from tests.service.console.conftest import CSRF_FIELD, ConsoleClient
from tests.service.console.staff_pages import row_ids, sign_in_as, write


def _tokens(page: str) -> set[str]:
    return set(CSRF_FIELD.findall(page))


async def test_a_kept_list_page_carries_each_browsers_own_token(console: ConsoleClient, db: Database) -> None:
    editor = await sign_in_as(console, "editor")
    await write("news", editor.actor, {"en": "Seasonal workers"})
    first = await console.get("/console/news/")
    assert first.status_code == 200
    mine = _tokens(first.text)
    assert len(mine) == 1
    assert console.cookies.get("scmi_csrf") in mine  # the double-submit pair still matches
    # A second browser of the same person: the same page from memory, with its own token.
    other = httpx.AsyncClient(transport=console._transport, base_url="https://newsroom.test")
    async with other:
        other.cookies.set(SESSION_COOKIE, console.cookies.get(SESSION_COOKIE) or "", path="/console")
        second = await other.get("/console/news/")
        assert second.status_code == 200
        theirs = _tokens(second.text)
        assert len(theirs) == 1
        assert theirs != mine
        assert row_ids(second.text) == row_ids(first.text)
        assert "csrf-" not in second.text.replace("scmi_csrf", "")  # no marker left in a page


async def test_each_role_gets_its_own_page_and_a_write_shows_at_once(
    console: ConsoleClient, db: Database
) -> None:
    admin = await sign_in_as(console, "admin")
    admin_page = await console.get("/console/news/")
    assert 'href="/console/subscribers/"' in admin_page.text
    invitation = await invite_staff("ana.author@scmi.test", "author", "Ana Author", lang="en")
    console.cookies.set(
        SESSION_COOKIE, await start_session(invitation.staff_id, stage="signed_in"), path="/console"
    )
    author_page = await console.get("/console/news/")
    assert author_page.status_code == 200
    assert 'href="/console/subscribers/"' not in author_page.text  # not the admin's kept page
    assert row_ids(author_page.text) == []
    # The new staff member shows in the author filter at once (a write of this process).
    assert "Ana Author" in author_page.text
    entry_id = await write("news", admin.actor, {"en": "Returnees find work"})
    assert row_ids((await console.get("/console/news/")).text) == [str(entry_id)]
    # The role changes at once too: the session is looked up again after the write.
    await change_role(invitation.staff_id, "admin")
    assert 'href="/console/subscribers/"' in (await console.get("/console/news/")).text


async def test_the_editor_page_shows_a_change_at_once(console: ConsoleClient, db: Database) -> None:
    editor = await sign_in_as(console, "editor")
    entry_id = await write("news", editor.actor, {"en": "First title"})
    page = await console.get(f"/console/news/{entry_id}")
    assert page.status_code == 200
    assert "First title" in page.text
    again = await console.get(f"/console/news/{entry_id}")
    assert _tokens(again.text) == _tokens(page.text)  # this browser's token, kept in its cookie
    await update_entry(
        "news",
        entry_id,
        EntryPatch(translations={"en": TranslationPatch(title="Second title")}),
        editor.actor,
    )
    changed = await console.get(f"/console/news/{entry_id}")
    assert "Second title" in changed.text
    assert "First title" not in changed.text
