"""Subscriber imports run by the worker: the file kept until it is read, progress and report recorded."""

import asyncio
import csv
import io
import shutil
from pathlib import Path
from typing import IO, Any, Final
from uuid import UUID, uuid4

import msgspec

from core.db import utcnow, write_transaction
from core.errors import Invalid, NotFound
from newsletters.consent import Origin
from newsletters.importing import CHUNK_ROWS, COLUMNS, ImportReport, import_csv
from newsletters.tables import ImportRun

MIN_CHUNK_ROWS: Final = 250  # rows between progress records, at the least
PROGRESS_STEPS: Final = 20  # a file is written in about this many chunks, each recorded when done
FINISHED: Final = frozenset({"done", "failed"})


class ImportRunOut(msgspec.Struct):
    """An import as staff follow it: how far it is, and its report once done."""

    id: UUID
    status: str
    filename: str
    total: int
    done: int
    report: ImportReport | None
    error: str
    created_at: Any
    finished_at: Any

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


def _text(binary: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")


def count_rows(binary: IO[bytes]) -> int:
    """The file's data rows (blank ones left out, as the import skips them); the header is checked."""
    text = _text(binary)
    try:
        records = csv.reader(text)
        header = [cell.strip().lower() for cell in next(records, [])]
        if tuple(header) != COLUMNS:
            raise Invalid(f"the first row must be the header {','.join(COLUMNS)}", field="file")
        return sum(1 for cells in records if any(cell.strip() for cell in cells))
    finally:
        text.detach()  # the caller's file stays open


def _path(directory: Path, run_id: UUID) -> Path:
    return directory / f"{run_id}.csv"


def _keep(binary: IO[bytes], kept: Path) -> None:
    kept.parent.mkdir(parents=True, exist_ok=True)
    binary.seek(0)
    with kept.open("wb") as target:
        shutil.copyfileobj(binary, target)


async def queue_import(
    binary: IO[bytes], *, directory: Path, filename: str, basis: str, origin: Origin
) -> UUID:
    """Keep the file for the worker and record the import as queued; its id names both."""
    basis = basis.strip()
    if len(basis) < 3 or "\x00" in basis:  # PostgreSQL's text holds no NUL
        raise Invalid("an import needs the legal basis of the addresses in it", field="basis")
    binary.seek(0)
    total = count_rows(binary)
    run_id = uuid4()
    kept = _path(directory, run_id)
    await asyncio.to_thread(_keep, binary, kept)
    now = utcnow()
    try:
        async with write_transaction(ImportRun):
            await ImportRun.insert(
                ImportRun(
                    id=run_id,
                    status="queued",
                    filename=filename[:300],
                    basis=basis,
                    source=origin.source,
                    ip=origin.ip[:64],
                    user_agent=origin.user_agent,
                    staff_id=origin.staff_id,
                    total=total,
                    done=0,
                    report={},
                    created_at=now,
                    updated_at=now,
                )
            )
    except BaseException:
        kept.unlink(missing_ok=True)
        raise
    return run_id


async def _record(run_id: UUID, **values: Any) -> None:
    columns = {getattr(ImportRun, name): value for name, value in values.items()}
    async with write_transaction(ImportRun):
        await ImportRun.update({**columns, ImportRun.updated_at: utcnow()}).where(ImportRun.id == run_id)


async def run_import(run_id: UUID, *, directory: Path, secret_key: str) -> str:
    """Import a queued file, recording the rows read after each chunk; the file is deleted after.

    Returns the run's status. A run already finished, or whose file is gone, is left as it is.
    """
    row = await ImportRun.select().where(ImportRun.id == run_id).first()
    if row is None or row["status"] in FINISHED:
        return "missing" if row is None else str(row["status"])
    kept = _path(directory, run_id)
    if not kept.exists():
        await _record(run_id, status="failed", error="the file is gone", finished_at=utcnow())
        return "failed"
    await _record(run_id, status="running", done=0)
    origin = Origin(
        source=row["source"], ip=row["ip"], user_agent=row["user_agent"], staff_id=row["staff_id"]
    )
    chunk_rows = max(MIN_CHUNK_ROWS, min(CHUNK_ROWS, row["total"] // PROGRESS_STEPS))

    async def progress(rows: int) -> None:
        await _record(run_id, done=rows)

    try:
        with kept.open("rb") as binary:
            text = _text(binary)
            try:
                report = await import_csv(
                    text,
                    secret_key=secret_key,
                    basis=row["basis"],
                    origin=origin,
                    on_progress=progress,
                    chunk_rows=chunk_rows,
                )
            finally:
                text.detach()
    except Invalid as refused:
        await _record(run_id, status="failed", error=refused.detail, finished_at=utcnow())
        kept.unlink(missing_ok=True)
        return "failed"
    await _record(
        run_id, status="done", done=report.rows, report=msgspec.to_builtins(report), finished_at=utcnow()
    )
    kept.unlink(missing_ok=True)  # the addresses are in the database now; the file need not be kept
    return "done"


async def get_import(run_id: UUID) -> ImportRunOut:
    """An import's progress, and its report once done."""
    row = await ImportRun.select().output(load_json=True).where(ImportRun.id == run_id).first()
    if row is None:
        raise NotFound(f"no import {run_id}")
    report = msgspec.convert(row["report"], ImportReport) if row["status"] == "done" else None
    return ImportRunOut(
        id=row["id"], status=row["status"], filename=row["filename"], total=row["total"], done=row["done"],
        report=report, error=row["error"], created_at=row["created_at"], finished_at=row["finished_at"],
    )  # fmt: skip
