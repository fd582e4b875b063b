"""Campaigns for editors: `/api/v1/campaigns`."""

from email.utils import parseaddr
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
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


class CampaignController(Controller):
    """`/api/v1/campaigns`: drafts, test sends, sending now or later, pause, resume, cancel."""

    path = "/api/v1/campaigns"
    tags = ["campaigns"]
    guards = [requires("editor")]

    @get("/", summary="Every campaign, newest first")
    async def list_campaigns(self) -> list[CampaignOut]:
        return await states.list_campaigns()

    @post("/", summary="Save a draft")
    async def create_campaign(self, data: Annotated[CampaignIn, Body()]) -> CampaignOut:
        return await states.create_campaign(data)

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

    @get("/{campaign_id:uuid}", summary="A campaign with its status and counts")
    async def get_campaign(self, campaign_id: FromPath[UUID]) -> CampaignOut:
        return await states.get_campaign(campaign_id)

    @put("/{campaign_id:uuid}", summary="Rewrite a draft")
    async def change_campaign(
        self, campaign_id: FromPath[UUID], data: Annotated[CampaignIn, Body()]
    ) -> CampaignOut:
        return await states.change_campaign(campaign_id, data)

    @post("/{campaign_id:uuid}/test", summary="Mail a test to some addresses", status_code=202)
    async def test_campaign(
        self, request: Request[Any, Any, Any], campaign_id: FromPath[UUID], data: Annotated[TestIn, Body()]
    ) -> Queued:
        settings = _settings(request)
        addresses = [checked_address(each, "addresses") for each in data.addresses[:20]]
        await states.refresh_content(campaign_id, feed_site(settings))
        await enqueue_campaign_test(request.app.state.queue, campaign_id, addresses, data.lang)
        return Queued(queued=len(addresses))

    @post("/{campaign_id:uuid}/send", summary="Send now, or at `at`", status_code=202)
    async def send_campaign(
        self, request: Request[Any, Any, Any], campaign_id: FromPath[UUID], data: Annotated[SendIn, Body()]
    ) -> CampaignOut:
        settings = _settings(request)
        campaign = await states.request_send(campaign_id, data.at, feed_site(settings))
        await enqueue_campaign_start(request.app.state.queue, campaign_id, campaign.send_at)
        return campaign

    @post("/{campaign_id:uuid}/pause", summary="Pause sending (within one batch)", status_code=200)
    async def pause_campaign(self, campaign_id: FromPath[UUID]) -> CampaignOut:
        return await states.pause_campaign(campaign_id)

    @post("/{campaign_id:uuid}/resume", summary="Resume a paused campaign", status_code=200)
    async def resume_campaign(
        self, request: Request[Any, Any, Any], campaign_id: FromPath[UUID]
    ) -> CampaignOut:
        campaign = await states.resume_campaign(campaign_id)
        # A new round: the paused round's jobs stop, and the reconciler's start picks this one up now.
        await enqueue_reconcile(request.app.state.queue)
        return campaign

    @post("/{campaign_id:uuid}/cancel", summary="Cancel (within one batch)", status_code=200)
    async def cancel_campaign(self, campaign_id: FromPath[UUID]) -> CampaignOut:
        return await states.cancel_campaign(campaign_id)
