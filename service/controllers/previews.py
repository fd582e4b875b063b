"""Preview links of entries, and the preview itself: a draft in the public shape, never kept by a cache."""

from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, QueryParameter

from accounts.roles import Principal
from content import previews, queries
from content.kinds import KINDS
from content.languages import Lang
from content.schemas import EntryOut, PreviewLinkIn, PreviewLinkOut
from core.errors import NotFound
from service.auth import actor_of, requires
from service.settings import Settings

# A preview is for the person it was sent to: no cache keeps it, no search engine lists it.
PREVIEW_HEADERS: Final = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def preview_link_controller(kind: str) -> type[Controller]:
    """Making and revoking preview links of one kind, at `/api/v1/{kind}/{id}/preview-link`."""

    class PreviewLinkController(Controller):
        path = f"/api/v1/{kind}"
        tags = [kind]

        @post(
            "/{ref:str}/preview-link",
            guards=[requires("author")],
            summary="Make a preview link",
            description="Authors for their own entries, editors and admins for any. The token is shown "
            "only in this answer; it works until `expires_at` (default 7 days) or until revoked.",
        )
        async def make_preview_link(
            self,
            request: Request[Principal, Any, Any],
            ref: FromPath[str],
            data: Annotated[PreviewLinkIn | None, Body()] = None,
        ) -> Response[PreviewLinkOut]:
            entry_id = queries.parse_entry_id(ref)
            if entry_id is None:
                raise NotFound(f"{ref!r} is not an entry id")
            days = (data or PreviewLinkIn()).expires_in_days
            made = await previews.make_preview_link(
                kind, entry_id, actor_of(request.user), expires_in_days=days
            )
            out = PreviewLinkOut(
                url=_settings(request).preview_url(made.token), token=made.token, expires_at=made.expires_at
            )
            return Response(out, status_code=201, headers={"Cache-Control": "no-store"})

        @delete(
            "/{ref:str}/preview-link",
            guards=[requires("author")],
            status_code=200,
            summary="Revoke the entry's preview links",
        )
        async def revoke_preview_links(
            self, request: Request[Principal, Any, Any], ref: FromPath[str]
        ) -> dict[str, int]:
            entry_id = queries.parse_entry_id(ref)
            if entry_id is None:
                raise NotFound(f"{ref!r} is not an entry id")
            return {"revoked": await previews.revoke_preview_links(kind, entry_id, actor_of(request.user))}

    PreviewLinkController.__name__ = f"{kind.title()}PreviewLinkController"
    PreviewLinkController.__qualname__ = PreviewLinkController.__name__
    return PreviewLinkController


PREVIEW_LINK_CONTROLLERS = [preview_link_controller(kind) for kind in KINDS]


@get(
    "/api/v1/preview/{token:str}",
    summary="An entry by its preview link",
    description="The entry in the public shape whatever its status, for whoever holds the token; "
    "`Cache-Control: no-store`, `X-Robots-Tag: noindex`.",
    tags=["previews"],
)
async def preview(
    token: FromPath[str], lang: Annotated[Lang | None, QueryParameter(description="ka or en")] = None
) -> Response[EntryOut]:
    try:
        shown = await previews.preview_entry(token, lang)
    except NotFound as missing:
        # Even the refusal is kept by no cache: a link revoked now must not answer from one later.
        raise NotFoundException(missing.detail, headers=PREVIEW_HEADERS) from None
    return Response(shown, headers=PREVIEW_HEADERS)
