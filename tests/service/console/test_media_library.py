"""The console's media library over HTTP on both databases: uploads, the grid, filters, metadata, usage."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from accounts.staff import add_staff
from content.tables import MediaAsset
from service.app import create_app
from service.console.session import SESSION_COOKIE
from service.settings import Settings
from tasks.worker import build_worker
from tests import media_files
from tests.conftest import Database, running
from tests.helpers import bilingual, create
from tests.service.console.conftest import CSRF_FIELD, ConsoleClient

EXECUTABLE = Path("/bin/true").read_bytes()
ASSET_LINK = re.compile(r'href="/console/media/([0-9a-f-]{36})"')


@dataclass
class Library:
    """The app, a signed-in console client, and an author's bearer token for the API."""

    app: Litestar
    console: ConsoleClient
    api_headers: dict[str, str]

    async def sign_in(self, role: str = "author", lang: str = "en") -> None:
        invitation = await invite_staff(f"{role}-{lang}@scmi.test", role, role.title(), lang=lang)
        session = await start_session(invitation.staff_id, stage="signed_in")
        self.console.cookies.set(SESSION_COOKIE, session, domain="newsroom.test", path="/console")

    async def token(self) -> str:
        served = await self.console.get("/console/media/")
        assert served.status_code == 200, served.text
        match = CSRF_FIELD.search(served.text)
        assert match
        return match.group(1)

    async def upload(self, *named: tuple[str, bytes], **headers: str) -> httpx.Response:
        token = await self.token()
        return await self.console.post(
            "/console/media/",
            data={"_csrf_token": token},
            files=[("file", (name, data, "application/octet-stream")) for name, data in named],
            headers=headers,
        )

    async def make_renditions(self) -> None:
        worker = build_worker(
            self.app.state.queue,
            self.app.state.settings,
            media_storage=self.app.state.media_storage,
            burst=True,
            handle_signals=False,
        )
        await worker.main()


@pytest.fixture
async def library(settings: Settings, db: Database) -> AsyncIterator[Library]:
    app = create_app(settings)
    api_token = (await add_staff("api-author@scmi.test", "author", name="Api")).token
    async with running(app):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 4000))
        async with ConsoleClient(transport=transport, base_url="https://newsroom.test") as console:
            yield Library(app, console, {"Authorization": f"Bearer {api_token}"})
    db.bind()


async def test_three_files_at_once_one_refused_the_others_stored(library: Library) -> None:
    await library.sign_in()
    answer = await library.upload(
        ("photo.jpg", media_files.photo_with_gps(800, 600, orientation=1)),
        ("invoice.pdf", EXECUTABLE),  # an executable dressed as a PDF
        ("strategy.pdf", media_files.pdf()),
    )
    assert answer.status_code == 422, answer.text
    summary = answer.text.split('class="error-summary"')[1].split("</div>")[0]
    assert summary.count("<li>") == 1
    assert 'href="#file"' in summary
    assert "invoice.pdf" in summary
    assert "photo.jpg" not in summary
    assert "Files stored: 2." in answer.text
    rows = await MediaAsset.select(MediaAsset.original_name, MediaAsset.family)
    assert sorted((row["original_name"], row["family"]) for row in rows) == [
        ("photo.jpg", "image"),
        ("strategy.pdf", "document"),
    ]
    # All accepted: the browser is sent back to the grid, which says how many were stored.
    again = await library.upload(("clip.mp4", media_files.mp4()), ("interview.mp3", media_files.mp3()))
    assert again.status_code == 303
    assert again.headers["location"] == "/console/media/?uploaded=2"
    grid = await library.console.get(again.headers["location"])
    assert "Files stored: 2." in grid.text
    assert await MediaAsset.count() == 4


async def test_no_file_chosen_and_a_missing_token(library: Library) -> None:
    await library.sign_in()
    nothing = await library.upload()
    assert nothing.status_code == 422
    assert "Choose at least one file." in nothing.text
    forged = await library.console.post(
        "/console/media/", files=[("file", ("a.pdf", media_files.pdf(), "application/pdf"))]
    )
    assert forged.status_code == 403
    wrong = await library.console.post(
        "/console/media/",
        data={"_csrf_token": "x" * 80},
        files=[("file", ("a.pdf", media_files.pdf(), "application/pdf"))],
    )
    assert wrong.status_code == 403
    assert await MediaAsset.count() == 0


async def test_the_progress_script_gets_one_answer_per_file(library: Library) -> None:
    await library.sign_in(lang="ka")
    stored = await library.upload(("a.png", media_files.png()), accept="application/json")
    refused = await library.upload(("song.mp3", media_files.SHELL_SCRIPT), accept="application/json")
    assert stored.status_code == 200
    assert stored.json()["files"][0]["stored"] is True
    assert stored.json()["files"][0]["url"].startswith("/console/media/")
    assert refused.status_code == 422
    assert refused.json()["files"] == [
        {
            "filename": "song.mp3",
            "stored": False,
            "message": refused.json()["files"][0]["message"],
            "url": None,
        }
    ]
    assert "song.mp3: ფაილის შიგთავსი" in refused.json()["files"][0]["message"]


async def test_grid_shows_thumbnails_and_type_labels_and_filters_by_type(library: Library) -> None:
    await library.sign_in()
    answer = await library.upload(
        ("photo.jpg", media_files.photo_with_gps(1200, 800, orientation=1)),
        ("report.pdf", media_files.pdf()),
        ("interview.mp3", media_files.mp3()),
    )
    assert answer.status_code == 303
    await library.make_renditions()
    photo = await MediaAsset.select().where(MediaAsset.family == "image").first()
    assert photo is not None
    grid = await library.console.get("/console/media/")
    assert grid.status_code == 200
    # The smallest rendition is the thumbnail; the others show their type.
    thumbnail = re.search(r'<img src="(/console/media/[^"]+)"', grid.text)
    assert thumbnail is not None
    assert thumbnail.group(1) == f"/console/media/{photo['id']}/renditions/320.webp"
    assert '<span class="type-label">PDF</span>' in grid.text
    assert '<span class="type-label">MP3</span>' in grid.text
    assert len(set(ASSET_LINK.findall(grid.text))) == 3
    served = await library.console.get(thumbnail.group(1))
    assert (served.status_code, served.headers["content-type"]) == (200, "image/webp")
    assert "private" in served.headers["cache-control"]

    documents = await library.console.get("/console/media/?type=document")
    assert len(set(ASSET_LINK.findall(documents.text))) == 1
    assert "report.pdf" in documents.text
    assert "photo.jpg" not in documents.text
    assert 'href="/console/media/?type=document" aria-current="page"' in documents.text
    videos = await library.console.get("/console/media/?type=video")
    assert "No file of this type has been uploaded yet." in videos.text
    policy = grid.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    script = re.search(r'<script src="(/console/static/media-upload\.[0-9a-f]{12}\.js)" defer>', grid.text)
    assert script is not None
    served_script = await library.console.get(script.group(1))
    assert served_script.headers["content-type"].startswith("text/javascript")
    assert "XMLHttpRequest" in served_script.text


async def test_older_files_are_on_the_next_page(library: Library) -> None:
    await library.sign_in()
    pngs = [(f"p{size}.png", media_files.png(20 + size, 20)) for size in range(26)]
    too_many = await library.upload(*pngs)
    # The form takes 20 files at once; each one past that has its own line in the error summary.
    assert too_many.status_code == 422
    assert too_many.text.count("at most 20 files can be uploaded at once") == 6
    assert "p25.png: at most 20" in too_many.text
    assert await MediaAsset.count() == 20
    assert (await library.upload(*pngs[20:])).status_code == 303
    page_one = await library.console.get("/console/media/")
    older = re.search(r'href="(/console/media/\?type=&amp;cursor=[^"]+)" rel="next"', page_one.text)
    assert older is not None
    page_two = await library.console.get(older.group(1).replace("&amp;", "&"))
    assert len(set(ASSET_LINK.findall(page_one.text))) == 24
    assert len(set(ASSET_LINK.findall(page_two.text))) == 2
    assert set(ASSET_LINK.findall(page_one.text)).isdisjoint(ASSET_LINK.findall(page_two.text))
    assert "Newest files" in page_two.text
    assert 'rel="next"' not in page_two.text


async def test_captions_in_both_languages_are_edited_and_usage_is_listed(library: Library) -> None:
    await library.sign_in(lang="ka")
    await library.upload(("photo.png", media_files.png()))
    asset = await MediaAsset.select().first()
    assert asset is not None
    page = f"/console/media/{asset['id']}"
    fields = {
        "ka.caption": "კომისიის სხდომა",
        "ka.alt": "ადამიანები მაგიდასთან",
        "ka.credit": "სამდივნო",
        "en.caption": "The Commission's sitting",
        "en.alt": "People at a table",
        "en.credit": "Secretariat",
        "licence": "CC BY 4.0",
        "action": "save",
    }
    saved = await library.console.submit(page, page, fields)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{page}?saved=1"
    api = (await library.console.get(f"/api/v1/media/{asset['id']}", headers=library.api_headers)).json()
    assert api["caption"] == {"ka": "კომისიის სხდომა", "en": "The Commission's sitting"}
    assert api["alt"] == {"ka": "ადამიანები მაგიდასთან", "en": "People at a table"}
    assert api["credit"] == {"ka": "სამდივნო", "en": "Secretariat"}
    assert api["licence"] == "CC BY 4.0"
    shown = await library.console.get(saved.headers["location"])
    assert "ცვლილებები შენახულია." in shown.text
    assert 'alt="ადამიანები მაგიდასთან"' in shown.text
    assert "ეს ფაილი ჯერ არცერთ ჩანაწერში არ გამოიყენება." in shown.text

    # Too long a caption: the form again with 422, the error linked to its field, nothing written.
    too_long = await library.console.submit(page, page, {**fields, "en.caption": "x" * 2001})
    assert too_long.status_code == 422
    assert 'href="#en.caption"' in too_long.text
    assert 'aria-invalid="true"' in too_long.text
    assert "x" * 2001 in too_long.text  # what was typed is kept
    again = (await library.console.get(f"/api/v1/media/{asset['id']}", headers=library.api_headers)).json()
    assert again["caption"]["en"] == "The Commission's sitting"

    # Emptying a language removes it, as the API's PATCH does.
    await library.console.submit(page, page, {**fields, "en.credit": ""})
    after = (await library.console.get(f"/api/v1/media/{asset['id']}", headers=library.api_headers)).json()
    assert after["credit"] == {"ka": "სამდივნო"}

    cover = await create(library.console, library.api_headers, "news", bilingual(cover_id=str(asset["id"])))
    attached = await create(
        library.console,
        library.api_headers,
        "events",
        bilingual(
            "ღონისძიება",
            "The event",
            attachment_ids=[str(asset["id"])],
            starts_at="2026-12-10T10:00:00+04:00",
        ),
    )
    used = await library.console.get(page)
    assert f'href="/console/news/{cover["id"]}"' in used.text
    assert f'href="/console/events/{attached["id"]}"' in used.text
    assert "ყდის სურათი" in used.text and "დანართი" in used.text
    assert "ღონისძიება" in used.text  # the title in the interface language


async def test_anonymous_is_sent_to_sign_in(library: Library) -> None:
    await library.sign_in()
    await library.upload(("photo.png", media_files.png()))
    asset = await MediaAsset.select().first()
    assert asset is not None
    library.console.cookies.delete(SESSION_COOKIE)
    for path in (
        "/console/media/",
        f"/console/media/{asset['id']}",
        f"/console/media/{asset['id']}/file",
    ):
        answer = await library.console.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/console/sign-in"), path
    token = await library.console.get("/console/sign-in")
    match = CSRF_FIELD.search(token.text)
    assert match
    posted = await library.console.post(
        "/console/media/",
        data={"_csrf_token": match.group(1)},
        files=[("file", ("b.pdf", media_files.pdf(), "application/pdf"))],
    )
    assert (posted.status_code, posted.headers["location"]) == (303, "/console/sign-in")
    assert await MediaAsset.count() == 1


async def test_unknown_asset_is_a_console_page_not_found(library: Library) -> None:
    await library.sign_in()
    missing = "/console/media/00000000-0000-4000-8000-000000000000"
    answer = await library.console.get(missing)
    assert answer.status_code == 404
    assert "Page not found" in answer.text
    saved = await library.console.submit("/console/media/", missing, {"licence": "CC0", "action": "save"})
    assert saved.status_code == 404
