"""Press access over the API: give an embargoed entry to journalists early, see who opened it, revoke."""

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import Body, FromPath

from accounts.roles import Principal
from content import queries
from content.kinds import KINDS
from core.errors import NotFound
from newsletters.press import access
from newsletters.press.schemas import PressAccessIn, PressAccessOut, PressGrantOut
from service.auth import actor_of, requires
from service.settings import Settings
from tasks.enqueue import enqueue_press_mails

NO_STORE = {"Cache-Control": "no-store"}


def _entry_id(ref: str) -> UUID:
    entry_id = queries.parse_entry_id(ref)
    if entry_id is None:
        raise NotFound(f"{ref!r} is not an entry id")
    return entry_id


def press_access_controller(kind: str) -> type[Controller]:
    """`/api/v1/{kind}/{id}/embargo-access` of one kind (editors and admins)."""

    class PressAccessController(Controller):
        path = f"/api/v1/{kind}"
        tags = [kind]
        guards = [requires("editor")]

        @post(
            "/{ref:str}/embargo-access",
            status_code=202,
            summary="Give the embargoed entry to the press early",
            description="`lists` (their active members) and/or `emails`; `lang` is the mail's language "
            "for an address that is no subscriber. Each new address is mailed a personal link "
            "`/press/{token}` by the worker; an address with a working link already is left alone. "
            "Only an entry under an embargo that has not lifted (else 409).",
        )
        async def grant(
            self,
            request: Request[Principal, Any, Any],
            ref: FromPath[str],
            data: Annotated[PressAccessIn, Body()],
        ) -> Response[PressAccessOut]:
            settings: Settings = request.app.state.settings
            listing, new = await access.grant_access(
                kind, _entry_id(ref), data, actor_of(request.user), secret_key=settings.secret_key
            )
            await enqueue_press_mails(request.app.state.queue, new)
            return Response(listing, status_code=202, headers=NO_STORE)

        @get(
            "/{ref:str}/embargo-access",
            summary="Who was given the entry early, and who opened it when",
        )
        async def listing(
            self, request: Request[Principal, Any, Any], ref: FromPath[str]
        ) -> Response[PressAccessOut]:
            found = await access.list_access(kind, _entry_id(ref), actor_of(request.user))
            return Response(found, headers=NO_STORE)

        @delete(
            "/{ref:str}/embargo-access/{grant_id:uuid}",
            status_code=200,
            summary="Withdraw one journalist's early access",
            description="The link answers 410 from now on.",
        )
        async def revoke(
            self, request: Request[Principal, Any, Any], ref: FromPath[str], grant_id: FromPath[UUID]
        ) -> PressGrantOut:
            return await access.revoke_access(kind, _entry_id(ref), grant_id, actor_of(request.user))

    PressAccessController.__name__ = f"{kind.title()}PressAccessController"
    PressAccessController.__qualname__ = PressAccessController.__name__
    return PressAccessController


PRESS_ACCESS_CONTROLLERS = [press_access_controller(kind) for kind in KINDS]
