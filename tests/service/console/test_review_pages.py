"""The console's review buttons, the conversation on the editor page and restore on the revisions page."""

import re
from datetime import UTC, datetime
from uuid import UUID

from content.revisions import list_revisions
from content.tables import Entry
from content.workflow.comments import list_comments
from tests.conftest import Database
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import sign_in_as, write

TITLES = {"ka": "კომისიის სხდომა", "en": "A sitting of the Commission"}


async def _status(entry_id: UUID) -> str:
    row = await Entry.select(Entry.status).where(Entry.id == entry_id).first()
    assert row is not None
    return str(row["status"])


def _buttons(page: str) -> set[str]:
    return set(re.findall(r'name="action" value="(submit|request_changes)"', page))


async def test_submit_request_changes_and_the_conversation(console: ConsoleClient, db: Database) -> None:
    author = await sign_in_as(console, "author", lang="ka", name="Eka")
    entry_id = await write("news", author.actor, TITLES)
    page = f"/console/news/{entry_id}"
    served = await console.get(page)
    assert _buttons(served.text) == {"submit"} and 'for="note"' in served.text

    answer = await console.submit(page, f"{page}/review", {"action": "submit", "note": "Please look"})
    assert answer.status_code == 303 and answer.headers["location"] == f"{page}?done=submit"
    assert await _status(entry_id) == "in_review"
    served = await console.get(answer.headers["location"])
    assert "გაიგზავნა განსახილველად" in served.text and "Please look" in served.text
    assert _buttons(served.text) == set()  # nothing more to submit

    # Someone else's author may not submit or send back.
    await sign_in_as(console, "author", name="Other")
    refused = await console.submit(page, f"{page}/review", {"action": "request_changes", "note": "x"})
    assert refused.status_code == 403

    editor = await sign_in_as(console, "editor", name="Nino")
    served = await console.get(page)
    assert _buttons(served.text) == {"request_changes"}
    missing = await console.submit(page, f"{page}/review", {"action": "request_changes", "note": "  "})
    assert missing.status_code == 422
    assert 'href="#note"' in missing.text and "Say what should change." in missing.text
    assert await _status(entry_id) == "in_review"
    sent = await console.submit(page, f"{page}/review", {"action": "request_changes", "note": "Fix *this*"})
    assert sent.status_code == 303 and await _status(entry_id) == "draft"

    empty = await console.submit(page, f"{page}/comments", {"body": ""})
    assert empty.status_code == 422 and 'href="#body"' in empty.text
    said = await console.submit(page, f"{page}/comments", {"body": "Looks *better*"})
    assert said.status_code == 303
    served = await console.get(page)
    assert "<em>better</em>" in served.text and "<em>this</em>" in served.text
    assert [(c.action, c.staff_name) for c in await list_comments("news", entry_id)] == [
        ("submit", "Eka"), ("request_changes", "Nino"), ("comment", "Nino"),
    ]  # fmt: skip
    assert editor.name == "Nino"


async def test_editors_restore_a_revision_from_the_revisions_page(
    console: ConsoleClient, db: Database
) -> None:
    author = await sign_in_as(console, "author")
    entry_id = await write("news", author.actor, TITLES)
    page = f"/console/news/{entry_id}"
    saved = await console.submit(
        page, page, {"ka.title": TITLES["ka"], "en.title": "Changed", "action": "save", "revision": "1"}
    )
    assert saved.status_code == 303, saved.text[:2000]
    restore_path = f"{page}/revisions/1/restore"
    assert restore_path not in (await console.get(f"{page}/revisions")).text
    refused = await console.submit(f"{page}/revisions", restore_path, {})
    assert refused.status_code == 403

    await sign_in_as(console, "editor")
    listing = await console.get(f"{page}/revisions")
    assert restore_path in listing.text and f"{page}/revisions/2/restore" not in listing.text
    done = await console.submit(f"{page}/revisions", restore_path, {})
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=restore"
    history = await list_revisions("news", entry_id)
    assert [r.action for r in history] == ["restore", "edit", "create"]
    missing = await console.submit(f"{page}/revisions", f"{page}/revisions/9/restore", {})
    assert missing.status_code == 404


async def test_the_dashboard_shows_what_waits_for_review(console: ConsoleClient, db: Database) -> None:
    author = await sign_in_as(console, "author")
    entry_id = await write("news", author.actor, TITLES)
    page = f"/console/news/{entry_id}"
    await console.submit(page, f"{page}/review", {"action": "submit", "note": ""})
    await sign_in_as(console, "editor")
    dashboard = (await console.get("/console")).text
    section = dashboard.split('id="section-in_review"', 1)[1].split("</section>", 1)[0]
    assert "Waiting for review" in section and TITLES["en"] in section
    listed = await console.get("/console/news", params={"status": "in_review"})
    assert str(entry_id) in listed.text


async def test_an_editor_publishes_with_an_unpublish_time(console: ConsoleClient, db: Database) -> None:
    editor = await sign_in_as(console, "editor")
    entry_id = await write("news", editor.actor, TITLES)
    page = f"/console/news/{entry_id}"
    fields = {"ka.title": TITLES["ka"], "en.title": TITLES["en"], "action": "publish", "revision": "1"}
    past = await console.submit(page, page, {**fields, "unpublish_at": "2020-01-01T10:00"})
    assert past.status_code == 422 and 'href="#unpublish_at"' in past.text
    assert await _status(entry_id) == "draft"
    done = await console.submit(page, page, {**fields, "unpublish_at": "2099-01-01T10:00"})
    assert done.status_code == 303, done.text[:2000]
    row = await Entry.select(Entry.status, Entry.unpublish_at).where(Entry.id == entry_id).first()
    assert row is not None and row["status"] == "published"
    assert row["unpublish_at"].astimezone(UTC) == datetime(2099, 1, 1, 6, 0, tzinfo=UTC)  # 10:00 in Tbilisi
    served = (await console.get(page)).text
    assert 'name="unpublish_at" type="datetime-local" value="2099-01-01T10:00"' in served
