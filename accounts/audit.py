"""The audit log: one record for every write made through the API."""

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import WhereRaw

from accounts.tables import AuditEvent
from content.queries import decode_cursor, encode_cursor
from core.db import as_utc, is_sqlite


class AuditOut(msgspec.Struct):
    """One audited write."""

    id: UUID
    at: datetime
    staff_id: UUID | None
    staff_email: str
    method: str
    path: str
    status: int
    request_id: str
    # What a console step was ("sign_in", "staff.invited", ...); empty for API writes.
    event: str = ""
    # Whom a console step was done to (an address or a staff id), when it was done to someone.
    target: str = ""


class AuditPage(msgspec.Struct):
    """A page of the audit log, newest first."""

    items: list[AuditOut]
    next_cursor: str | None


async def record_write(
    *,
    staff_id: UUID | None,
    staff_email: str,
    method: str,
    path: str,
    status: int,
    request_id: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one write to the audit log."""
    await AuditEvent(
        staff_id=staff_id,
        staff_email=staff_email,
        method=method,
        path=path[:2000],
        status=status,
        request_id=request_id,
        detail=detail or {},
    ).save()


def _detail_text(detail: Any, key: str) -> str:
    if isinstance(detail, str):  # JSON may come back as text
        try:
            detail = json.loads(detail)
        except ValueError:
            return ""
    value = detail.get(key, "") if isinstance(detail, dict) else ""
    return value if isinstance(value, str) else ""


async def list_audit(
    *,
    limit: int = 50,
    cursor: str | None = None,
    staff_id: UUID | None = None,
    what: str = "",
    since: datetime | None = None,
    before: datetime | None = None,
) -> AuditPage:
    """The audit log, newest first: of one staff member, whose path or step has `what`, in a time range."""
    query = AuditEvent.select(*AuditEvent.all_columns())
    if staff_id is not None:
        query = query.where(AuditEvent.staff_id == staff_id)
    if what:
        # `%`, `_` and `\` are meant literally; the step's name lives in the JSON detail.
        typed = what.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = "LIKE" if is_sqlite(AuditEvent) else "ILIKE"
        pattern = f"%{typed}%"
        query = query.where(
            WhereRaw(
                f"(path {like} {{}} ESCAPE '\\' OR CAST(detail AS TEXT) {like} {{}} ESCAPE '\\')",
                pattern,
                pattern,
            )
        )
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if before is not None:
        query = query.where(AuditEvent.at < before)
    if cursor is not None:
        moment, last_id = decode_cursor(cursor)
        query = query.where(
            (AuditEvent.at < moment) | ((AuditEvent.at == moment) & (AuditEvent.id < last_id))
        )
    rows = await query.order_by(AuditEvent.at, AuditEvent.id, ascending=False).limit(limit + 1)
    items = [
        AuditOut(
            id=row["id"],
            at=as_utc(row["at"]),  # type: ignore[arg-type]
            staff_id=row["staff_id"],
            staff_email=row["staff_email"],
            method=row["method"],
            path=row["path"],
            status=row["status"],
            request_id=row["request_id"],
            event=_detail_text(row["detail"], "event"),
            target=_detail_text(row["detail"], "target"),
        )
        for row in rows[:limit]
    ]
    next_cursor = encode_cursor(items[-1].at, items[-1].id) if len(rows) > limit and items else None
    return AuditPage(items=items, next_cursor=next_cursor)
