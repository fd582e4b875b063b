"""`scmi export` then `scmi import` into an empty database of the other engine gives the same answers."""

import contextlib
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from content.media.storage import open_storage
from core.errors import Conflict
from newsletters.consent import Origin
from newsletters.importing import import_csv
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, Names
from service.app import create_app
from service.backups import archived_tables, export_archive, import_archive
from service.cli import main
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine
from service.settings import Settings
from tests import media_files
from tests.conftest import Database, Staff, empty_postgres_database, running, settings_with
from tests.helpers import bilingual, create, create_published
from tests.service.test_media import upload

PAGES = [
    "/api/v1/news?lang=ka",
    "/api/v1/news?lang=en",
    "/api/v1/news?lang=ka&q=სხდომაზე",
    "/api/v1/news?lang=en&q=sitting",
    "/api/v1/topics",
    "/feeds/ka/news.rss",
    "/feeds/en/all.atom",
    "/feeds/en/news.json",
    "/feeds/ka/events.ics",
]


async def _fill(client: httpx.AsyncClient, staff: Staff, settings: Settings) -> list[str]:
    editor = staff.headers("editor")
    assert (
        await client.post(
            "/api/v1/topics",
            json={"slug": "emigration", "name": {"ka": "ემიგრაცია", "en": "Emigration"}},
            headers=editor,
        )
    ).status_code == 201
    asset = (await upload(client, editor, media_files.png(), "cover.png", "image/png")).json()
    published = await create_published(
        client,
        editor,
        body=bilingual(topics=["emigration"], cover_id=asset["id"], attachment_ids=[asset["id"]]),
    )
    await create(client, staff.headers("author"), body=bilingual("მხოლოდ ქართული სამუშაო ვერსია", None))
    event = bilingual(starts_at="2027-01-20T07:00:00Z")
    event["translations"]["ka"]["location"] = "თბილისი"
    event["translations"]["en"]["location"] = "Tbilisi"
    await create_published(client, editor, "events", event)
    await create_list(ListIn(slug="press", name=Names(ka="პრესა", en="Press"), public=True))
    csv_text = "email,name,organisation,lang,lists\nreporter@example.org,Nino,Radio,ka,press\n"
    report = await import_csv(
        io.StringIO(csv_text),
        secret_key=settings.secret_key,
        basis="press accreditation",
        origin=Origin(source="test"),
    )
    assert report.accepted == 1
    slugs = {item["lang"]: item["slug"] for item in [published, *published["translations"]]}
    return [
        *PAGES,
        f"/api/v1/news/{slugs['ka']}?lang=ka",
        f"/api/v1/news/{slugs['en']}?lang=en",
        f"/api/v1/media/{asset['id']}",
        f"/api/v1/media/{asset['id']}/file",
    ]


async def _answers(client: httpx.AsyncClient, paths: list[str]) -> dict[str, tuple[int, bytes]]:
    answers = {}
    for path in paths:
        response = await client.get(path)
        answers[path] = (response.status_code, response.content)
    return answers


async def _counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count() for table in archived_tables()}


@contextlib.asynccontextmanager
async def _other_engine_database(source: Database, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, unmigrated database of the other engine than the source's."""
    if source.backend == "postgres":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    async with empty_postgres_database("scmi_restore") as url:
        yield url


async def test_export_then_import_into_the_other_engine_answers_the_same(
    client: httpx.AsyncClient, staff: Staff, settings: Settings, db: Database, tmp_path: Path
) -> None:
    paths = await _fill(client, staff, settings)
    before = await _answers(client, paths)
    assert all(status == 200 for status, _ in before.values()), {p: s for p, (s, _) in before.items()}
    counts = await _counts()
    archive = tmp_path / "archive"
    # Pages of two rows, so that walking a table page by page is exercised on both engines.
    exported = await export_archive(archive, open_storage(settings.media_storage), page=2)
    assert exported.rows == counts and exported.media_files >= 2  # the original and its clean copy
    rows = [
        json.loads(line) for line in (archive / "tables" / "consent_event.jsonl").read_text().splitlines()
    ]
    assert rows and rows[0]["basis"] == "press accreditation"
    staff_rows = (archive / "tables" / "staff.jsonl").read_text()
    assert "editor@scmi.test" in staff_rows and not (archive / "tables" / "api_token.jsonl").exists()
    assert any((archive / "media" / "files").iterdir())

    async with _other_engine_database(db, tmp_path) as url:
        restored = settings_with(settings, data_dir=tmp_path / "restored", database_url=url)
        engine = engine_from_url(url)
        bind_engine(engine)
        await prepare_engine(engine)
        try:
            await migrate(quiet=True)
            storage = open_storage(restored.media_storage)
            imported = await import_archive(archive, storage)
            assert imported.rows == counts and imported.media_files == exported.media_files
            with pytest.raises(Conflict, match="not empty"):
                await import_archive(archive, storage)
        finally:
            await close_engine(engine)

        app = create_app(restored)
        async with running(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
                after = await _answers(other, paths)
                assert await _counts() == counts
        for path in paths:
            assert after[path] == before[path], path
    db.bind()


def test_the_commands_export_and_refuse_clearly(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": f"sqlite:///{tmp_path / 'one.sqlite3'}"}
    runner = CliRunner()
    not_archive = runner.invoke(main, ["import", str(tmp_path)], env=env)
    assert not_archive.exit_code == 1 and "no manifest.json" in not_archive.output
    assert runner.invoke(main, ["demo"], env=env).exit_code == 0
    exported = runner.invoke(main, ["export", str(tmp_path / "archive")], env=env)
    assert exported.exit_code == 0 and "media files" in exported.output, exported.output
    again = runner.invoke(main, ["export", str(tmp_path / "archive")], env=env)
    assert again.exit_code == 1 and "not empty" in again.output
    refused = runner.invoke(main, ["import", str(tmp_path / "archive")], env=env)
    assert refused.exit_code == 1 and "the database is not empty" in refused.output
    other = {"DATA_DIR": str(tmp_path / "two"), "DATABASE_URL": f"sqlite:///{tmp_path / 'two.sqlite3'}"}
    restored = runner.invoke(main, ["import", str(tmp_path / "archive")], env=other)
    assert restored.exit_code == 0 and "imported" in restored.output, restored.output
