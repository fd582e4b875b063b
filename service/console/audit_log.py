"""The console's audit log (admin only): who did what when, filtered, newest first, with keyset paging."""

from datetime import date, datetime, time, timedelta
from typing import Any, Final
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.exceptions import PermissionDeniedException

from accounts import audit, staff
from accounts.console_sessions import ConsoleUser
from core.errors import Invalid
from service.console.rendering import TBILISI, console_page
from service.console.session import form_token, signed_in
from service.console.texts import TEXTS

AnyRequest = Request[Any, Any, Any]
PAGE_SIZE: Final = 50
FILTERS: Final = ("who", "what", "from", "to")


def _day(text: str) -> date | None:
    """A day typed as YYYY-MM-DD (Tbilisi's), None when empty; ValueError when it is no day."""
    return date.fromisoformat(text) if text else None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=TBILISI)


class AuditLogController(Controller):
    """`/console/audit`: the log with filters by person, by what was done and by days."""

    path = "/console/audit"
    include_in_schema = False

    @get("/")
    async def audit_page(self, request: AnyRequest) -> Response[str]:
        user: ConsoleUser = await signed_in(request)
        if not user.principal.has_role("admin"):
            raise PermissionDeniedException
        texts = TEXTS[user.interface_lang]
        params = request.query_params
        chosen = {name: str(params.get(name, "")).strip()[:200] for name in FILTERS}
        errors: dict[str, str] = {}
        who: UUID | None = None
        if chosen["who"]:
            try:
                who = UUID(chosen["who"])
            except ValueError:
                errors["who"] = texts["au_who_bad"]
        days: dict[str, date | None] = {}
        for name in ("from", "to"):
            try:
                days[name] = _day(chosen[name])
            except ValueError:
                errors[name] = texts["au_day_bad"]
        if not errors and days["from"] and days["to"] and days["from"] > days["to"]:
            errors["to"] = texts["au_range_bad"]
        page = None
        cursor = params.get("cursor") or None
        first_day, last_day = days.get("from"), days.get("to")
        if not errors:
            try:
                page = await audit.list_audit(
                    limit=PAGE_SIZE,
                    cursor=cursor,
                    staff_id=who,
                    what=chosen["what"],
                    since=_start_of(first_day) if first_day else None,
                    # "to" is the last day shown, whole.
                    before=_start_of(last_day + timedelta(days=1)) if last_day else None,
                )
            except Invalid:  # a cursor this page did not give
                errors["what"] = texts["au_cursor_bad"]
        kept = {name: value for name, value in chosen.items() if value}
        older = None
        if page is not None and page.next_cursor:
            older = "/console/audit/?" + urlencode({**kept, "cursor": page.next_cursor})
        first = ("/console/audit/?" + urlencode(kept)) if cursor else None
        people = await staff.list_staff()
        return console_page(
            "audit_log.html",
            user.interface_lang,
            status_code=422 if errors else 200,
            user=user,
            csrf_token=form_token(request),
            errors=errors,
            chosen=chosen,
            people=people,
            names={str(person.id): person.email for person in people},
            items=page.items if page is not None else [],
            older=older,
            first=first,
        )
