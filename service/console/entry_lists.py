"""The console's list of each kind's entries: filters in a GET form, keyset paging both ways, memoised."""

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get

from accounts.console_sessions import ConsoleUser
from accounts.staff import list_staff
from content.kinds import KINDS
from content.staff_lists import STAFF_STATUSES, StaffFilters, staff_list
from content.topics import list_topics
from core.errors import Invalid
from service.console.page_memo import PageMemo
from service.console.rendering import page_response, render_page
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


async def _list_page(kind: str, request: AnyRequest, user: ConsoleUser, csrf: str) -> tuple[int, str]:
    """The status and HTML of a list page (422 when a filter or cursor cannot be read)."""
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

    html = render_page(
        "entry_list.html",
        lang,
        user=user,
        csrf_token=csrf,
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
    return (422 if errors else 200), html


def entry_list_controller(kind: str) -> type[Controller]:
    """The console list of one kind, at `/console/{kind}/`."""

    class EntryListController(Controller):
        path = f"/console/{kind}"
        include_in_schema = False

        @get("/", name=f"console-{kind}-list")
        async def entry_list(self, request: AnyRequest) -> Response[str]:
            user = await signed_in(request)
            memo: PageMemo = request.app.state.console_pages
            token = form_token(request)
            # The page is the same for everyone of one role reading in one language.
            key = (kind, request.scope["query_string"], user.interface_lang, user.principal.role)
            refused: list[tuple[int, str]] = []

            async def render() -> str | None:
                status, html = await _list_page(kind, request, user, memo.marker)
                if status != 200:
                    refused.append((status, html))
                    return None
                return html

            html = await memo.page(key, token, render)
            if html is None:
                status, html = refused[0]
                return page_response(html.replace(memo.marker, token), status_code=status)
            return page_response(html)

    EntryListController.__name__ = f"{kind.capitalize()}ListController"
    return EntryListController


ENTRY_LIST_CONTROLLERS = [entry_list_controller(kind) for kind in KINDS]
