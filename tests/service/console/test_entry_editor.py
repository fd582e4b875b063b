"""The console's entry editor over HTTP on both databases: drafts, cover upload, publishing, conflicts."""

import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from content.schemas import TopicIn
from content.tables import Entry, MediaAsset
from content.topics import create_topic
from service.app import create_app
from service.console.session import SESSION_COOKIE
from service.settings import Settings
from tests.conftest import Database, running
from tests.media_files import png
from tests.service.console.conftest import CSRF_FIELD, ConsoleClient

HOST = "newsroom.test"
REVISION_FIELD = re.compile(r'name="revision" value="(\d+)"')
Browser = Callable[[str, str], Awaitable[ConsoleClient]]


@pytest.fixture
async def sign_in(settings: Settings, db: Database) -> AsyncIterator[Browser]:
    """Open a signed-in console "browser" of a new staff member of a role; all share one app."""
    app = create_app(settings)
    clients: list[ConsoleClient] = []
    async with running(app):

        async def open_browser(email: str, role: str) -> ConsoleClient:
            invitation = await invite_staff(email, role, email.split("@")[0].title(), lang="en")
            client = ConsoleClient(
                transport=httpx.ASGITransport(app=app, client=("192.0.2.10", 4000)),
                base_url=f"https://{HOST}",
            )
            clients.append(client)
            session = await start_session(invitation.staff_id, stage="signed_in")
            client.cookies.set(SESSION_COOKIE, session, domain=HOST, path="/console")
            return client

        try:
            yield open_browser
        finally:
            for client in clients:
                await client.aclose()
    db.bind()


def token_of(page: httpx.Response) -> str:
    match = CSRF_FIELD.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


async def post_form(
    client: ConsoleClient,
    page: str,
    fields: dict[str, str | list[str]],
    files: dict[str, tuple[str, bytes, str]] | None = None,
    action: str | None = None,
) -> httpx.Response:
    """GET the editor page, then post its form as a browser does (multipart, with its token)."""
    served = await client.get(page)
    assert served.status_code == 200, served.text[:500]
    data: dict[str, str | list[str]] = {"_csrf_token": token_of(served), **fields}
    revision = REVISION_FIELD.search(served.text)
    if revision and "revision" not in fields:
        data["revision"] = revision.group(1)
    # httpx sends multipart/form-data only when there are files; a browser does so for this form always.
    return await client.post(
        action or page, data=data, files=files or {"cover_file": ("", b"", "application/octet-stream")}
    )


def entry_id_of(answer: httpx.Response) -> UUID:
    assert answer.status_code == 303, answer.text[:2000]
    match = re.fullmatch(r"/console/(\w+)/([0-9a-f-]{36})\?done=\w+", answer.headers["location"])
    assert match, answer.headers["location"]
    return UUID(match.group(2))


BILINGUAL = {
    "ka.title": "კომისიის 32-ე სხდომა",
    "ka.summary": "დამტკიცდა სამოქმედო გეგმა",
    "ka.body": "კომისიამ **დაამტკიცა** სამოქმედო გეგმა.",
    "en.title": "The 32nd sitting of the Commission",
    "en.body": "The Commission *adopted* the Action Plan.",
}


async def test_an_author_writes_a_bilingual_draft_with_a_cover_uploaded_in_place(
    sign_in: Browser, db: Database
) -> None:
    author = await sign_in("eka@example.org", "author")
    page = await author.get("/console/news/new")
    assert page.status_code == 200
    assert '<fieldset class="language" lang="ka">' in page.text
    assert '<fieldset class="language" lang="en">' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert 'value="publish"' not in page.text  # an author's editor has no publishing buttons
    assert "script-src" not in page.headers["content-security-policy"]

    answer = await post_form(
        author,
        "/console/news/new",
        {**BILINGUAL, "action": "save"},
        files={"cover_file": ("სხდომა.png", png(), "image/png")},
    )
    entry_id = entry_id_of(answer)
    edit = await author.get(answer.headers["location"])
    assert "Saved." in edit.text
    assert "komisiis-32-e-skhdoma" in edit.text  # the Georgian slug, romanised
    assert "the-32nd-sitting-of-the-commission" in edit.text
    row = (
        await Entry.select(Entry.status, Entry.cover_id, Entry.created_by).where(Entry.id == entry_id).first()
    )
    assert row is not None and row["status"] == "draft"
    asset = (
        await MediaAsset.select(MediaAsset.id, MediaAsset.family)
        .where(MediaAsset.id == row["cover_id"])
        .first()
    )
    assert asset is not None and asset["family"] == "image"
    assert f'id="cover-{asset["id"]}" name="cover_id" type="radio" value="{asset["id"]}" checked' in edit.text
    thumbnail = await author.get(f"/console/thumbnails/{asset['id']}")
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"].startswith("image/")
    # The draft is not public yet.
    anonymous = httpx.AsyncClient(transport=author._transport, base_url=f"https://{HOST}")
    assert (await anonymous.get(f"/api/v1/news/{entry_id}")).status_code == 404


async def test_an_author_cannot_publish(sign_in: Browser, db: Database) -> None:
    author = await sign_in("eka@example.org", "author")
    entry_id = entry_id_of(await post_form(author, "/console/news/new", {**BILINGUAL, "action": "save"}))
    page = f"/console/news/{entry_id}"
    edit = await author.get(page)
    for action in ("publish", "schedule", "embargo", "unpublish", "archive"):
        assert f'value="{action}"' not in edit.text
    refused = await post_form(author, page, {**BILINGUAL, "ka.title": "ახალი სათაური", "action": "publish"})
    assert refused.status_code == 403
    row = await Entry.select(Entry.status, Entry.revision).where(Entry.id == entry_id).first()
    assert row == {"status": "draft", "revision": 1}  # nothing written, not even the new title
    # Another author may read the draft but not change it.
    other = await sign_in("dato@example.org", "author")
    theirs = await other.get(page)
    assert theirs.status_code == 200 and 'value="save"' not in theirs.text
    assert "Your role cannot change this entry." in theirs.text
    refused = await post_form(other, page, {**BILINGUAL, "ka.title": "სხვისი სათაური", "action": "save"})
    assert refused.status_code == 403
    row = await Entry.select(Entry.revision).where(Entry.id == entry_id).first()
    assert row == {"revision": 1}


async def test_an_editor_publishes_schedules_and_embargoes(sign_in: Browser, db: Database) -> None:
    editor = await sign_in("nino@example.org", "editor")
    await create_topic(TopicIn(slug="migration", name={"ka": "მიგრაცია", "en": "Migration"}))
    page = await editor.get("/console/news/new")
    for action in ("save", "publish", "schedule", "embargo"):
        assert f'value="{action}"' in page.text
    published = entry_id_of(
        await post_form(
            editor, "/console/news/new", {**BILINGUAL, "topics": ["migration"], "action": "publish"}
        )
    )
    public = httpx.AsyncClient(transport=editor._transport, base_url=f"https://{HOST}")
    listed = (await public.get("/api/v1/news?lang=en")).json()
    assert [item["id"] for item in listed["items"]] == [str(published)]
    assert listed["items"][0]["topics"][0]["slug"] == "migration"
    feed = await public.get("/feeds/ka/news.rss")
    assert feed.status_code == 200 and "კომისიის 32-ე სხდომა" in feed.text

    # Scheduling needs a time in the future, given in Tbilisi time.
    missing = await post_form(editor, "/console/news/new", {**BILINGUAL, "action": "schedule"})
    assert missing.status_code == 422
    assert 'href="#publish_at"' in missing.text
    assert await Entry.count() == 1  # nothing half-written
    at = (datetime.now(ZoneInfo("Asia/Tbilisi")) + timedelta(days=2)).replace(second=0, microsecond=0)
    scheduled = entry_id_of(
        await post_form(
            editor,
            "/console/news/new",
            {**BILINGUAL, "en.title": "Next week", "ka.title": "შემდეგ კვირას", "action": "schedule",
             "publish_at": at.strftime("%Y-%m-%dT%H:%M")},
        )
    )  # fmt: skip
    row = await Entry.select(Entry.status, Entry.publish_at).where(Entry.id == scheduled).first()
    assert row is not None and row["status"] == "scheduled"
    assert row["publish_at"].astimezone(UTC) == at.astimezone(UTC)

    lifts = (datetime.now(ZoneInfo("Asia/Tbilisi")) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    embargoed = entry_id_of(
        await post_form(
            editor,
            "/console/news/new",
            {**BILINGUAL, "en.title": "Under embargo", "ka.title": "ემბარგო", "action": "embargo",
             "embargo_until": lifts},
        )
    )  # fmt: skip
    row = await Entry.select(Entry.status, Entry.embargo_until).where(Entry.id == embargoed).first()
    assert row is not None and row["status"] == "published" and row["embargo_until"] is not None
    listed = (await public.get("/api/v1/news?lang=en")).json()
    assert [item["id"] for item in listed["items"]] == [str(published)]  # the embargo hides it

    # Unpublish and archive from the editor page.
    done = await post_form(editor, f"/console/news/{published}", {**BILINGUAL, "action": "unpublish"})
    assert entry_id_of(done) == published
    assert (await public.get("/api/v1/news?lang=en")).json()["items"] == []
    done = await post_form(editor, f"/console/news/{published}", {**BILINGUAL, "action": "archive"})
    row = await Entry.select(Entry.status).where(Entry.id == published).first()
    assert row == {"status": "archived"}


async def test_the_second_of_two_concurrent_saves_gets_the_changes_and_keeps_its_text(
    sign_in: Browser, db: Database
) -> None:
    first = await sign_in("nino@example.org", "editor")
    second = await sign_in("giorgi@example.org", "editor")
    entry_id = entry_id_of(await post_form(first, "/console/news/new", {**BILINGUAL, "action": "save"}))
    page = f"/console/news/{entry_id}"
    # Both open the page at revision 1.
    opened_first, opened_second = await first.get(page), await second.get(page)
    assert 'name="revision" value="1"' in opened_second.text
    saved = await first.post(
        page,
        data={"_csrf_token": token_of(opened_first), "revision": "1", **BILINGUAL,
              "en.title": "Nino's title", "action": "save"},
        files={"cover_file": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert saved.status_code == 303
    mine = "Giorgi's careful wording, which must not be lost"
    refused = await second.post(
        page,
        data={"_csrf_token": token_of(opened_second), "revision": "1", **BILINGUAL,
              "en.body": mine, "action": "save"},
        files={"cover_file": ("", b"", "application/octet-stream")},
    )  # fmt: skip
    assert refused.status_code == 409
    text = html.unescape(refused.text)
    assert "Someone else changed this entry" in text
    assert '<th scope="row">Title (English)</th>' in refused.text  # the field, by its label
    assert "The 32nd sitting of the Commission" in text and "Nino's title" in text  # old and new
    assert "Nino" in text  # who saved meanwhile
    assert mine in text  # the second person's text is still in the form
    assert 'name="revision" value="2"' in refused.text  # saving again is a deliberate overwrite
    row = await Entry.select(Entry.revision).where(Entry.id == entry_id).first()
    assert row == {"revision": 2}
    again = await second.post(
        page,
        data={
            "_csrf_token": token_of(refused),
            "revision": "2",
            **BILINGUAL,
            "en.body": mine,
            "action": "save",
        },
        files={"cover_file": ("", b"", "application/octet-stream")},
    )
    assert again.status_code == 303
    revisions = await second.get(f"{page}/revisions")
    assert revisions.status_code == 200
    assert "Body (Markdown) (English)" in revisions.text  # which fields, by their labels
    assert "Nino" in revisions.text and "Giorgi" in revisions.text
    assert "Tbilisi time" in revisions.text


async def test_the_api_sends_the_revision_as_etag_and_refuses_a_stale_if_match(
    client: httpx.AsyncClient, db: Database
) -> None:
    from accounts.staff import add_staff

    token = (await add_staff("api@scmi.test", "editor", name="Api")).token
    headers = {"Authorization": f"Bearer {token}"}
    created = await client.post(
        "/api/v1/news", headers=headers, json={"translations": {"en": {"title": "First"}}}
    )
    entry_id = created.json()["id"]
    read = await client.get(f"/api/v1/news/{entry_id}", headers=headers)
    assert read.headers["etag"] == '"r1"'
    changed = await client.patch(
        f"/api/v1/news/{entry_id}",
        headers={**headers, "If-Match": '"r1"'},
        json={"translations": {"en": {"title": "Second"}}},
    )
    assert changed.status_code == 200 and changed.headers["etag"] == '"r2"'
    stale = await client.patch(
        f"/api/v1/news/{entry_id}",
        headers={**headers, "If-Match": '"r1"'},
        json={"translations": {"en": {"title": "Third"}}},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.headers["etag"] == '"r2"'
    assert (await client.get(f"/api/v1/news/{entry_id}", headers=headers)).json()["title"] == "Second"
    plain = await client.patch(
        f"/api/v1/news/{entry_id}", headers=headers, json={"translations": {"en": {"title": "Fourth"}}}
    )
    assert plain.status_code == 200  # without If-Match, as before


async def test_a_post_without_its_csrf_token_is_refused(sign_in: Browser, db: Database) -> None:
    author = await sign_in("eka@example.org", "author")
    await author.get("/console/news/new")
    answer = await author.post(
        "/console/news/new",
        data={**BILINGUAL, "action": "save"},
        files={"cover_file": ("", b"", "application/octet-stream")},
    )
    assert answer.status_code == 403
    assert await Entry.count() == 0


async def test_preview_renders_the_body_sanitised_and_saves_nothing(sign_in: Browser, db: Database) -> None:
    author = await sign_in("eka@example.org", "author")
    body = "A **bold** claim.\n\n<script>alert('x')</script><img src=x onerror=alert(1)>"
    answer = await post_form(
        author, "/console/news/new", {"en.title": "Preview", "en.body": body, "action": "preview"}
    )
    assert answer.status_code == 200
    preview = answer.text.split('class="previews"')[1].split("</section>")[0]
    assert "<strong>bold</strong>" in preview
    assert "<script" not in preview and "onerror" not in preview
    assert "<script" not in answer.text  # nor anywhere else: the textarea holds it escaped
    assert "&lt;script&gt;" in answer.text
    assert await Entry.count() == 0


async def test_bad_input_comes_back_with_an_error_summary_and_nothing_written(
    sign_in: Browser, db: Database
) -> None:
    editor = await sign_in("nino@example.org", "editor")
    answer = await post_form(editor, "/console/news/new", {"en.body": "No title", "action": "save"})
    assert answer.status_code == 422
    assert 'href="#en.title"' in answer.text and 'aria-invalid="true"' in answer.text
    assert "No title" in answer.text
    nothing = await post_form(editor, "/console/news/new", {"action": "save"})
    assert nothing.status_code == 422 and 'href="#ka.title"' in nothing.text
    event = await post_form(
        editor,
        "/console/events/new",
        {"en.title": "Sitting", "starts_at": "2026-13-40T10:00", "online_url": "ftp://x", "action": "save"},
    )
    assert event.status_code == 422
    assert 'href="#starts_at"' in event.text and 'href="#online_url"' in event.text
    assert await Entry.count() == 0


async def test_an_event_is_written_in_tbilisi_time_with_its_fields(sign_in: Browser, db: Database) -> None:
    editor = await sign_in("nino@example.org", "editor")
    page = await editor.get("/console/events/new")
    assert 'value="Asia/Tbilisi"' in page.text and 'type="datetime-local"' in page.text
    entry_id = entry_id_of(
        await post_form(
            editor,
            "/console/events/new",
            {"ka.title": "სხდომა", "ka.location": "თბილისი", "en.title": "Sitting", "en.location": "Tbilisi",
             "starts_at": "2026-12-20T10:00", "ends_at": "2026-12-20T12:30",
             "registration_url": "https://example.org/register", "action": "publish"},
        )
    )  # fmt: skip
    row = (
        await Entry.select(Entry.starts_at, Entry.timezone, Entry.status).where(Entry.id == entry_id).first()
    )
    assert row is not None and row["status"] == "published" and row["timezone"] == "Asia/Tbilisi"
    assert row["starts_at"].astimezone(UTC) == datetime(2026, 12, 20, 6, 0, tzinfo=UTC)
    edit = await editor.get(f"/console/events/{entry_id}")
    assert 'value="2026-12-20T10:00"' in edit.text and 'value="Tbilisi"' in edit.text
    materials = await editor.get("/console/materials/new")
    assert 'name="material_type"' in materials.text
    announcement = await editor.get("/console/announcements/new")
    assert 'name="deadline"' in announcement.text


async def test_an_editor_publishes_an_authors_draft_keeping_its_cover(sign_in: Browser, db: Database) -> None:
    author = await sign_in("eka@example.org", "author")
    editor = await sign_in("nino@example.org", "editor")
    entry_id = entry_id_of(
        await post_form(
            author,
            "/console/news/new",
            {**BILINGUAL, "action": "save"},
            files={"cover_file": ("cover.png", png(320, 200), "image/png")},
        )
    )
    page = await editor.get(f"/console/news/{entry_id}")
    cover = re.search(r'name="cover_id" type="radio" value="([0-9a-f-]{36})" checked', page.text)
    assert cover, "the editor opens with the draft's cover chosen"
    answer = await post_form(
        editor, f"/console/news/{entry_id}", {**BILINGUAL, "cover_id": cover.group(1), "action": "publish"}
    )
    assert entry_id_of(answer) == entry_id
    row = await Entry.select(Entry.status, Entry.cover_id).where(Entry.id == entry_id).first()
    assert row == {"status": "published", "cover_id": UUID(cover.group(1))}
    # The same change through the API: a PATCH that (re)sets the cover of a news item is accepted.
    from accounts.staff import add_staff

    token = (await add_staff("api@scmi.test", "editor", name="Api")).token
    patched = await editor.patch(
        f"/api/v1/news/{entry_id}",
        headers={"Authorization": f"Bearer {token}"},
        json={"cover_id": cover.group(1)},
    )
    assert patched.status_code == 200, patched.text


async def test_two_simultaneous_saves_from_one_revision_let_exactly_one_through(db: Database) -> None:
    """The revision check holds under a race too (PostgreSQL locks the row; SQLite has one writer)."""
    import asyncio

    from content.entries import create_entry, update_entry
    from content.schemas import Actor, EntryIn, EntryPatch, TranslationIn, TranslationPatch
    from core.errors import StaleRevision

    actor = Actor(id=UUID(int=1), name="Nino", can_edit_any=True, can_publish=True)
    entry = await create_entry("news", EntryIn(translations={"en": TranslationIn(title="One")}), actor)

    async def save(title: str) -> str:
        patch = EntryPatch(translations={"en": TranslationPatch(title=title)})
        try:
            await update_entry("news", entry.id, patch, actor, expected_revision=1)
        except StaleRevision:
            return "refused"
        return "saved"

    outcomes = await asyncio.gather(*(save(f"Title {number}") for number in range(4)))
    assert sorted(outcomes) == ["refused", "refused", "refused", "saved"]
    row = await Entry.select(Entry.revision).where(Entry.id == entry.id).first()
    assert row == {"revision": 2}
