"""The review conversation travels in `scmi export` with the entry it belongs to."""

import json
from pathlib import Path

from content.entries import create_entry
from content.media.storage import open_storage
from content.tables import EntryComment
from content.workflow.comments import add_comment
from service.backups import archived_tables, export_archive
from service.settings import Settings
from tests.conftest import Database
from tests.content.drafts import AUTHOR, bilingual


async def test_comments_are_exported(db: Database, settings: Settings, tmp_path: Path) -> None:
    assert EntryComment in archived_tables()
    entry = await create_entry("news", bilingual(), AUTHOR)
    await add_comment("news", entry.id, AUTHOR, "Kept for the *record*")
    await export_archive(tmp_path / "archive", open_storage(settings.media_storage))
    lines = (tmp_path / "archive" / "tables" / "entry_comment.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(row["entry"], row["body"], row["staff_name"]) for row in rows] == [
        (str(entry.id), "Kept for the *record*", "Author")
    ]
