"""The console's first page: what waits for the signed-in staff member."""

from typing import Any

from litestar import Controller, Request, Response, get

from content.waiting import waiting_for
from service.console.rendering import STYLESHEET, STYLESHEET_PATH, console_page
from service.console.session import form_token, signed_in

AnyRequest = Request[Any, Any, Any]


class DashboardController(Controller):
    """`/console/` and the console's style sheet."""

    path = "/console"
    include_in_schema = False

    @get("/")
    async def dashboard(self, request: AnyRequest) -> Response[str]:
        user = await signed_in(request)
        sections = await waiting_for(user.principal.id, user.interface_lang)
        return console_page(
            "dashboard.html",
            user.interface_lang,
            user=user,
            csrf_token=form_token(request),
            sections=list(sections.items()),
        )

    @get(STYLESHEET_PATH.removeprefix("/console"))
    async def stylesheet(self) -> Response[bytes]:
        return Response(
            STYLESHEET,
            media_type="text/css",
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )
