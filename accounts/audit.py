"""The audit log: one record for every write made through the API."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from accounts.tables import AuditEvent
from content.queries import decode_cursor, encode_cursor
from core.db import as_utc


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


async def list_audit(
    *, limit: int = 50, cursor: str | None = None, staff_id: UUID | None = None
) -> AuditPage:
    """The audit log, newest first, optionally for one staff member."""
    query = AuditEvent.select(*AuditEvent.all_columns())
    if staff_id is not None:
        query = query.where(AuditEvent.staff_id == staff_id)
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
        )
        for row in rows[:limit]
    ]
    next_cursor = encode_cursor(items[-1].at, items[-1].id) if len(rows) > limit and items else None
    return AuditPage(items=items, next_cursor=next_cursor)
