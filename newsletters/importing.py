"""CSV import (`email,name,organisation,lang,lists`): streamed, chunked, idempotent, suppression-aware."""

import asyncio
import csv
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID, uuid4

import msgspec

from core.csv_cells import recovered_cell
from core.db import is_sqlite, utcnow, write_transaction
from core.errors import Invalid
from newsletters import lists
from newsletters.addresses import address_key, normalise_address
from newsletters.bulk import bulk_insert, select_in
from newsletters.consent import Origin
from newsletters.subscriptions import SUPPRESSED
from newsletters.tables import ConsentEvent, Membership, Subscriber
from newsletters.tokens import new_subscriber_token

COLUMNS: Final = ("email", "name", "organisation", "lang", "lists")
CHUNK_ROWS: Final = (
    5000  # rows per transaction: amortises the per-transaction cost, keeps sign-ups waiting briefly
)
MAX_REFUSALS_LISTED: Final = 10_000
PARALLEL_WRITES: Final = 2  # chunks written at once on PostgreSQL
YIELD_EVERY: Final = 500  # rows checked between turns of the chunk being written
_LIST_SEPARATORS: Final = re.compile(r"[;|,\s]+")


class Refusal(msgspec.Struct):
    """A row not imported, and why."""

    line: int
    email: str
    reason: str


class ImportReport(msgspec.Struct):
    """What an import did: rows read, accepted (created, updated, unchanged) and refused with reasons."""

    rows: int = 0
    accepted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    refusals: list[Refusal] = msgspec.field(default_factory=list)
    refusals_truncated: bool = False

    def refuse(self, line: int, email: str, reason: str) -> None:
        """Count a refused row, listing it while the list is short enough to read."""
        self.refused += 1
        if len(self.refusals) < MAX_REFUSALS_LISTED:
            self.refusals.append(Refusal(line=line, email=email[:320], reason=reason))
        else:
            self.refusals_truncated = True


@dataclass(slots=True)
class _Row:
    line: int
    written: str  # the address as the file has it, for the report
    email: str
    key: str
    name: str
    organisation: str
    lang: str
    lists: list[str]


async def import_csv(
    lines: Iterable[str],
    *,
    secret_key: str,
    basis: str,
    origin: Origin,
    on_progress: Callable[[int], Awaitable[None] | None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Import subscribers from CSV text with a header row; the same file twice adds nothing twice."""
    if len(basis.strip()) < 3:
        raise Invalid("an import needs the legal basis of the addresses in it", field="basis")
    reader = csv.reader(lines)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if tuple(header) != COLUMNS:
        raise Invalid(f"the first row must be the header {','.join(COLUMNS)}", field="file")
    known_lists = await lists.all_list_ids()
    report = ImportReport()
    seen: dict[str, int] = {}
    # On PostgreSQL, while chunks are written (the server's time), the next is read and checked
    # (ours), and two chunks are written at once, each in its own transaction on its own connection,
    # so the server works on both cores; their rows never overlap (duplicates in the file are
    # refused above), so neither waits for the other. SQLite has one writer, and its driver's thread
    # contends with the checking for the interpreter: there, each chunk is written before the next.
    at_once = 0 if is_sqlite(Subscriber) else PARALLEL_WRITES
    storing: list[asyncio.Task[None]] = []
    try:
        for chunk in _chunks(reader, chunk_rows):
            valid: list[_Row] = []
            for position, (line, cells) in enumerate(chunk):
                if position % YIELD_EVERY == YIELD_EVERY - 1:
                    await asyncio.sleep(0)  # lets the chunks being written go on
                report.rows += 1
                row = _validate(line, cells, secret_key, known_lists, report)
                if row is None:
                    continue
                first = seen.get(row.key)
                if first is not None:
                    report.refuse(line, row.written, f"duplicate of line {first}")
                    continue
                seen[row.key] = line
                valid.append(row)
            if storing and len(storing) >= at_once:
                await storing.pop(0)
            if valid and not at_once:
                await _store(valid, known_lists, basis.strip(), origin, report)
            elif valid:
                storing.append(asyncio.create_task(_store(valid, known_lists, basis.strip(), origin, report)))
            if on_progress is not None:
                reported = on_progress(report.rows)  # the rows read so far; a coroutine is awaited
                if inspect.isawaitable(reported):
                    await reported
        while storing:
            await storing.pop(0)
    finally:
        for task in storing:
            task.cancel()
        await asyncio.gather(*storing, return_exceptions=True)
    report.refusals.sort(key=lambda refusal: refusal.line)  # the writes' refusals came in between
    report.accepted = report.created + report.updated + report.unchanged
    return report


def _chunks(reader: Any, size: int) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        chunk.append((reader.line_num, cells))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _validate(
    line: int, cells: list[str], secret_key: str, known_lists: dict[str, UUID], report: ImportReport
) -> _Row | None:
    raw_email = recovered_cell(cells[0].strip()) if cells else ""
    if len(cells) != len(COLUMNS):
        report.refuse(line, raw_email, f"expected {len(COLUMNS)} columns, found {len(cells)}")
        return None
    _, name, organisation, lang, list_field = (recovered_cell(cell.strip()) for cell in cells)
    try:
        email = normalise_address(raw_email)
    except Invalid as error:
        report.refuse(line, raw_email, error.detail)
        return None
    lang = lang.lower() or "ka"
    slugs = [slug for slug in _LIST_SEPARATORS.split(list_field.lower()) if slug]
    reason = None
    if lang not in {"ka", "en"}:
        reason = f"language must be ka or en, not {lang!r}"
    elif len(name) > 200:
        reason = "name longer than 200 characters"
    elif len(organisation) > 300:
        reason = "organisation longer than 300 characters"
    elif not slugs:
        reason = "no list given"
    elif unknown := [slug for slug in slugs if slug not in known_lists]:
        reason = f"unknown list {unknown[0]!r}"
    if reason is not None:
        report.refuse(line, raw_email, reason)
        return None
    return _Row(
        line=line,
        written=raw_email,
        email=email,
        key=address_key(secret_key, email),
        name=name,
        organisation=organisation,
        lang=lang,
        lists=list(dict.fromkeys(slugs)),
    )


SUBSCRIBER_COLUMNS: Final = (
    "id", "address_key", "email", "name", "organisation", "lang", "status", "token", "basis",
    "created_at", "updated_at", "confirmed_at",
)  # fmt: skip
MEMBERSHIP_COLUMNS: Final = (
    "id", "subscriber", "mailing_list", "status", "created_at", "updated_at", "subscribed_at",
)  # fmt: skip
EVENT_COLUMNS: Final = (
    "id", "subscriber", "action", "created_at", "source", "ip", "user_agent", "lists", "lang",
    "consent_text", "consent_version", "basis", "staff_id",
)  # fmt: skip


async def _store(
    rows: list[_Row], known_lists: dict[str, UUID], basis: str, origin: Origin, report: ImportReport
) -> None:
    """One transaction per chunk: new subscribers in bulk, known ones only gain the lists they lack."""
    now = utcnow()
    async with write_transaction(Subscriber):
        existing = {
            item["address_key"]: item
            for item in await select_in(
                Subscriber, ("id", "address_key", "status"), "address_key", [row.key for row in rows]
            )
        }
        places: dict[UUID, set[UUID]] = {}
        for item in await select_in(
            Membership,
            ("subscriber", "mailing_list"),
            "subscriber",
            [item["id"] for item in existing.values()],
        ):
            places.setdefault(_uuid(item["subscriber"]), set()).add(_uuid(item["mailing_list"]))
        new_subscribers: list[tuple[Any, ...]] = []
        new_places: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        activate: list[UUID] = []
        for row in rows:
            known = existing.get(row.key)
            if known is not None and known["status"] in SUPPRESSED:
                report.refuse(
                    row.line,
                    row.written,
                    f"{known['status']} address: only the person can subscribe it again",
                )
                continue
            if known is None:
                subscriber_id = uuid4()
                new_subscribers.append(
                    (subscriber_id, row.key, row.email, row.name, row.organisation, row.lang, "active",
                     new_subscriber_token(), basis, now, now, now)
                )  # fmt: skip
                joining = row.lists
                report.created += 1
            else:
                subscriber_id = _uuid(known["id"])
                held = places.get(subscriber_id, set())
                # A list the person left stays left: their wish outranks the file.
                joining = [slug for slug in row.lists if known_lists[slug] not in held]
                if known["status"] == "pending":
                    activate.append(subscriber_id)
                if not joining and known["status"] == "active":
                    report.unchanged += 1
                    continue
                report.updated += 1
            new_places.extend(
                (uuid4(), subscriber_id, known_lists[slug], "active", now, now, now) for slug in joining
            )
            events.append(
                (uuid4(), subscriber_id, "import", now, origin.source, origin.ip, origin.user_agent,
                 json.dumps(sorted(joining)), row.lang, "", "", basis, origin.staff_id)
            )  # fmt: skip
        await bulk_insert(Subscriber, SUBSCRIBER_COLUMNS, new_subscribers)
        if activate:
            await Subscriber.update(
                {Subscriber.status: "active", Subscriber.confirmed_at: now, Subscriber.updated_at: now}
            ).where(Subscriber.id.is_in(activate))
            await Membership.update({Membership.status: "active", Membership.subscribed_at: now}).where(
                Membership.subscriber.is_in(activate) & (Membership.status == "pending")
            )
        await bulk_insert(Membership, MEMBERSHIP_COLUMNS, new_places)
        await bulk_insert(ConsentEvent, EVENT_COLUMNS, events)


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
