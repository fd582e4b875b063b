"""Campaigns for editors: `/api/v1/campaigns`, each addressed by its id or its slug."""

from email.utils import parseaddr
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import Body, FromPath

from core.errors import NotFound
from newsletters import digest
from newsletters.campaign_schemas import CampaignIn, CampaignOut, DigestIn, Queued, SendIn, TestIn
from newsletters.campaigns import states
from newsletters.mime import checked_address
from service.auth import requires
from service.feeds.publisher import feed_site
from service.settings import Settings
from tasks.enqueue import enqueue_campaign_start, enqueue_campaign_test, enqueue_reconcile


def _settings(request: Request[Any, Any, Any]) -> Settings:
    # Without SMTP_URL campaigns go to .eml files in the outbox, like every other mail.
    settings: Settings = request.app.state.settings
    return settings


async def campaign_id_of(ref: FromPath[str]) -> UUID:
    """The route's `{ref}` as a campaign id (a UUID is an id, else a slug); guards ran before."""
    return await states.campaign_id_of(ref)


class CampaignController(Controller):
    """`/api/v1/campaigns`: drafts, test sends, sending now or later, pause, resume, cancel."""

    path = "/api/v1/campaigns"
    tags = ["campaigns"]
    guards = [requires("editor")]
    dependencies = {"campaign_id": Provide(campaign_id_of)}

    @get("/", summary="Every campaign, newest first")
    async def list_campaigns(self) -> list[CampaignOut]:
        return await states.list_campaigns()

    @post("/", summary="Save a draft; without from_name or from_address the sender is MAIL_FROM")
    async def create_campaign(
        self, request: Request[Any, Any, Any], data: Annotated[CampaignIn, Body()]
    ) -> CampaignOut:
        return await states.create_campaign(data, mail_from=_settings(request).mail_from)

    @post(
        "/digest",
        summary="Draft a digest of the entries published since a time",
        description="201 with the draft; 404 when nothing was published since then.",
    )
    async def draft_digest(
        self, request: Request[Any, Any, Any], data: Annotated[DigestIn, Body()]
    ) -> CampaignOut:
        settings: Settings = request.app.state.settings
        default_name, default_address = parseaddr(settings.mail_from)
        campaign = await digest.draft_digest(
            data.since,
            data.lists,
            from_name=data.from_name if data.from_name is not None else default_name,
            from_address=data.from_address or default_address,
            template=data.template,
        )
        if campaign is None:
            raise NotFound("no entry was published since then")
        return campaign

    @get("/{ref:str}", summary="A campaign with its status and counts")
    async def get_campaign(self, campaign_id: NamedDependency[UUID]) -> CampaignOut:
        return await states.get_campaign(campaign_id)

    @put("/{ref:str}", summary="Rewrite a draft")
    async def change_campaign(
        self,
        request: Request[Any, Any, Any],
        campaign_id: NamedDependency[UUID],
        data: Annotated[CampaignIn, Body()],
    ) -> CampaignOut:
        return await states.change_campaign(campaign_id, data, mail_from=_settings(request).mail_from)

    @post("/{ref:str}/test", summary="Mail a test to some addresses", status_code=202)
    async def test_campaign(
        self,
        request: Request[Any, Any, Any],
        campaign_id: NamedDependency[UUID],
        data: Annotated[TestIn, Body()],
    ) -> Queued:
        settings = _settings(request)
        addresses = [checked_address(each, "addresses") for each in data.addresses[:20]]
        await states.refresh_content(campaign_id, feed_site(settings))
        await enqueue_campaign_test(request.app.state.queue, campaign_id, addresses, data.lang)
        return Queued(queued=len(addresses))

    @post("/{ref:str}/send", summary="Send now (no body, or no `at`), or at `at`", status_code=202)
    async def send_campaign(
        self,
        request: Request[Any, Any, Any],
        campaign_id: NamedDependency[UUID],
        data: Annotated[SendIn | None, Body()] = None,
    ) -> CampaignOut:
        settings = _settings(request)
        at = data.at if data is not None else None
        campaign = await states.request_send(campaign_id, at, feed_site(settings))
        await enqueue_campaign_start(request.app.state.queue, campaign_id, campaign.send_at)
        return campaign

    @post("/{ref:str}/pause", summary="Pause sending (within one batch)", status_code=200)
    async def pause_campaign(self, campaign_id: NamedDependency[UUID]) -> CampaignOut:
        return await states.pause_campaign(campaign_id)

    @post("/{ref:str}/resume", summary="Resume a paused campaign", status_code=200)
    async def resume_campaign(
        self, request: Request[Any, Any, Any], campaign_id: NamedDependency[UUID]
    ) -> CampaignOut:
        campaign = await states.resume_campaign(campaign_id)
        # A new round: the paused round's jobs stop, and the reconciler's start picks this one up now.
        await enqueue_reconcile(request.app.state.queue)
        return campaign

    @post("/{ref:str}/cancel", summary="Cancel (within one batch)", status_code=200)
    async def cancel_campaign(self, campaign_id: NamedDependency[UUID]) -> CampaignOut:
        return await states.cancel_campaign(campaign_id)
