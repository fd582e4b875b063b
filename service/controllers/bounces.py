"""Bounces and complaints: the generic webhook `POST /api/v1/bounces` and the listings of what came back."""

import hmac
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath, QueryParameter

from core.errors import Invalid
from newsletters.bounces import effects
from newsletters.bounces.effects import BounceIn, BounceOut, Rules
from newsletters.campaigns import states
from service.auth import requires, staff_of
from service.settings import Settings

Kind = Annotated[str | None, QueryParameter(description="hard, soft or complaint", max_length=20)]
Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="at most this many, newest first")]


class Recorded(msgspec.Struct):
    """What the webhook did with a bounce: bounced, complained, counted, none (unknown address)."""

    effect: str


def _webhook_token_matches(authorization: str | None, token: str) -> bool:
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def campaign_id_of(ref: FromPath[str]) -> Any:
    """The route's `{ref}` as a campaign id (a UUID is an id, else a slug)."""
    return await states.campaign_id_of(ref)


class BounceWebhookController(Controller):
    """`POST /api/v1/bounces`: any mail service reports a bounce or complaint with BOUNCE_WEBHOOK_TOKEN."""

    path = "/api/v1/bounces"
    tags = ["bounces"]

    # Not a staff token: the staff middleware leaves this route alone, the handler checks its own.
    @post(
        "/",
        summary="Report a bounce or complaint (Authorization: Bearer $BOUNCE_WEBHOOK_TOKEN)",
        description="401 with a wrong token, and nothing changes; 404 while BOUNCE_WEBHOOK_TOKEN is unset.",
        status_code=202,
        exclude_from_auth=True,
    )
    async def report_bounce(self, request: Request[Any, Any, Any]) -> Recorded:
        settings: Settings = request.app.state.settings
        if not settings.bounce_webhook_token:
            # Off rather than refused, as /metrics: nothing tells a stranger a webhook exists.
            raise NotFoundException()
        if not _webhook_token_matches(request.headers.get("authorization"), settings.bounce_webhook_token):
            raise NotAuthorizedException("use `Authorization: Bearer` with BOUNCE_WEBHOOK_TOKEN")
        # Read only after the token is checked: a stranger's body is never parsed.
        try:
            data = msgspec.json.decode(await request.body(), type=BounceIn)
        except msgspec.ValidationError as error:
            raise Invalid(str(error)) from None
        except msgspec.DecodeError:
            raise Invalid("the body must be JSON: {email, type, message_id?, reason?}") from None
        rules = Rules(secret_key=settings.secret_key, soft_limit=settings.bounce_soft_limit)
        return Recorded(effect=await effects.from_webhook(data, rules))

    @get("/", summary="Every bounce and complaint that came back, newest first", guards=[requires("admin")])
    async def list_bounces(self, kind: Kind = None, limit: Limit = 100) -> list[BounceOut]:
        return await effects.list_bounces(kind=kind, limit=limit)


class CampaignBouncesController(Controller):
    """`GET /api/v1/campaigns/{ref}/bounces`: what came back for one campaign."""

    path = "/api/v1/campaigns/{ref:str}/bounces"
    tags = ["bounces"]
    guards = [requires("editor")]
    dependencies = {"campaign_id": Provide(campaign_id_of)}

    @get(
        "/",
        summary="The bounces and complaints of one campaign, newest first",
        description="Editors see addresses masked (`n***@example.org`); admins see them whole.",
    )
    async def campaign_bounces(
        self,
        request: Request[Any, Any, Any],
        campaign_id: NamedDependency[Any],
        kind: Kind = None,
        limit: Limit = 100,
    ) -> list[BounceOut]:
        principal = staff_of(request)
        masked = principal is None or not principal.has_role("admin")
        return await effects.list_bounces(campaign_id=campaign_id, kind=kind, limit=limit, masked=masked)
