"""Imports run by the worker, on both databases: rows done recorded as they go, the report kept, the file not."""

import asyncio
import io
import os
from pathlib import Path

import pytest

from core.errors import Invalid
from newsletters.consent import Origin
from newsletters.import_runs import get_import, queue_import, run_import
from newsletters.lists import create_list, get_list
from newsletters.subscriber_schemas import ListIn, ListNames
from tests.conftest import Database

KEY = "test-key"


def csv_file(rows: int, bad_every: int = 0) -> io.BytesIO:
    lines = ["email,name,organisation,lang,lists"]
    for number in range(rows):
        broken = bad_every and number % bad_every == 0
        lines.append(
            f"{'broken' if broken else 'p'}{number}{'' if broken else '@example.org'},P {number},,ka,press"
        )
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode())


async def test_progress_is_recorded_as_the_rows_are_read(db: Database, tmp_path: Path) -> None:
    await create_list(ListIn(slug="press", name=ListNames(ka="პრესა", en="Press")))
    run_id = await queue_import(
        csv_file(4000, bad_every=400), directory=tmp_path, filename="people.csv", basis="agreement",
        origin=Origin(source="import"),
    )  # fmt: skip
    queued = await get_import(run_id)
    assert (queued.status, queued.total, queued.done, queued.report) == ("queued", 4000, 0, None)
    assert (tmp_path / f"{run_id}.csv").exists()

    seen: list[int] = []
    running = asyncio.create_task(run_import(run_id, directory=tmp_path, secret_key=KEY))
    while not running.done():
        seen.append((await get_import(run_id)).done)
        await asyncio.sleep(0)
    assert await running == "done"
    assert any(0 < done < 4000 for done in seen), sorted(set(seen))  # the bar moved on its way
    assert seen == sorted(seen)

    finished = await get_import(run_id)
    assert (finished.status, finished.done, finished.percent) == ("done", 4000, 100)
    assert finished.report is not None
    assert (finished.report.rows, finished.report.created, finished.report.refused) == (4000, 3990, 10)
    assert [refusal.line for refusal in finished.report.refusals] == [2 + n for n in range(0, 4000, 400)]
    assert (await get_list("press")).active == 3990
    assert not (tmp_path / f"{run_id}.csv").exists()  # the addresses are not left lying on disk
    assert await run_import(run_id, directory=tmp_path, secret_key=KEY) == "done"  # a retry does nothing


async def test_a_wrong_file_is_refused_before_it_is_kept(db: Database, tmp_path: Path) -> None:
    with pytest.raises(Invalid) as wrong:
        await queue_import(
            io.BytesIO(b"mail,who\r\nx@example.org,X\r\n"), directory=tmp_path, filename="x.csv",
            basis="agreement", origin=Origin(source="import"),
        )  # fmt: skip
    assert wrong.value.field == "file"
    with pytest.raises(Invalid) as no_basis:
        await queue_import(
            csv_file(1), directory=tmp_path, filename="x.csv", basis=" ", origin=Origin(source="import")
        )
    assert no_basis.value.field == "basis"
    assert not any(os.scandir(tmp_path))  # nothing kept


async def test_an_import_whose_file_is_gone_fails_with_its_reason(db: Database, tmp_path: Path) -> None:
    await create_list(ListIn(slug="press", name=ListNames(ka="პრესა", en="Press")))
    run_id = await queue_import(
        csv_file(3),
        directory=tmp_path,
        filename="people.csv",
        basis="agreement",
        origin=Origin(source="import"),
    )
    (tmp_path / f"{run_id}.csv").unlink()
    assert await run_import(run_id, directory=tmp_path, secret_key=KEY) == "failed"
    failed = await get_import(run_id)
    assert (failed.status, failed.error, failed.report) == ("failed", "the file is gone", None)
    assert (await get_list("press")).active == 0
