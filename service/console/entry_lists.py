"""The console's list of each kind's entries: filters in a GET form, keyset paging both ways."""

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get

from accounts.staff import list_staff
from content.kinds import KINDS
from content.staff_lists import STAFF_STATUSES, StaffFilters, staff_list
from content.topics import list_topics
from core.errors import Invalid
from service.console.rendering import console_page
from service.console.session import form_token, signed_in
from service.console.texts import TEXTS

AnyRequest = Request[Any, Any, Any]
FILTERS = ("status", "missing", "outdated", "topic", "q", "author")


def _filters(query: dict[str, str]) -> tuple[StaffFilters, dict[str, str]]:
    """The filters a GET form asked for, and the field errors of what cannot be read."""
    errors: dict[str, str] = {}
    author: UUID | None = None
    if query.get("author"):
        try:
            author = UUID(query["author"])
        except ValueError:
            errors["author"] = "author"
    filters = StaffFilters(
        status=query.get("status") or None,
        missing=query.get("missing") or None,
        outdated=query.get("outdated") or None,
        topic=query.get("topic") or None,
        q=(query.get("q") or "").strip()[:200] or None,
        author=author,
    )
    return filters, errors


def entry_list_controller(kind: str) -> type[Controller]:
    """The console list of one kind, at `/console/{kind}/`."""

    class EntryListController(Controller):
        path = f"/console/{kind}"
        include_in_schema = False

        @get("/", name=f"console-{kind}-list")
        async def entry_list(self, request: AnyRequest) -> Response[str]:
            user = await signed_in(request)
            lang = user.interface_lang
            texts = TEXTS[lang]
            query = {key: request.query_params.get(key, "") for key in (*FILTERS, "cursor", "before")}
            filters, problems = _filters(query)
            errors: dict[str, str] = {}
            rows: list[Any] = []
            older = newer = None
            if problems:
                errors = {field: texts["list_bad_" + field] for field in problems}
            else:
                try:
                    page = await staff_list(
                        kind,
                        lang,
                        filters,
                        older_than=query["cursor"] or None,
                        newer_than=query["before"] or None,
                    )
                    rows, older, newer = page.rows, page.older, page.newer
                except Invalid as invalid:
                    field = invalid.field if invalid.field in ("status", "missing", "outdated") else "cursor"
                    errors = {"results" if field == "cursor" else field: texts["list_bad_" + field]}
            kept = {key: query[key] for key in FILTERS if query[key]}

            def page_url(direction: str, cursor: str) -> str:
                return f"/console/{kind}/?" + urlencode({**kept, direction: cursor})

            return console_page(
                "entry_list.html",
                lang,
                status_code=422 if errors else 200,
                user=user,
                csrf_token=form_token(request),
                kind=kind,
                kinds=KINDS,
                rows=rows,
                older=older and page_url("cursor", older),
                newer=newer and page_url("before", newer),
                query=query,
                kept=kept,
                errors=errors,
                statuses=STAFF_STATUSES,
                topics=await list_topics(),
                authors=await list_staff(),
            )

    EntryListController.__name__ = f"{kind.capitalize()}ListController"
    return EntryListController


ENTRY_LIST_CONTROLLERS = [entry_list_controller(kind) for kind in KINDS]
