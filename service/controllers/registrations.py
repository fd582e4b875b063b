"""Event registration over the API: the public registration, and what editors do with registrations."""

from typing import Annotated, Any
from uuid import UUID

from arq.connections import ArqRedis
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Stream

from accounts.roles import Principal
from newsletters.campaign_schemas import CampaignOut
from newsletters.subscriber_schemas import Accepted
from registrations import accreditation, event_mail, signup, staff
from registrations.schemas import DecisionIn, RegisterIn, RegistrationList, RegistrationOut, Status
from service.auth import requires
from service.controllers.subscriptions import origin_of
from service.ratelimit import rate_limited
from service.settings import Settings
from tasks.enqueue import enqueue_registration_mails

# The same limit as the sign-ups: per client address, 429 problem+json with Retry-After beyond.
REGISTER_LIMIT = rate_limited(
    "register",
    lambda settings: (settings.subscribe_limit_per_ip, settings.subscribe_limit_window),
    "too many registrations from this address; try later",
)


async def mail_owed(request: Request[Any, Any, State]) -> None:
    """Send what the change just committed owes (the worker's sweep sends it if this is lost)."""
    queue: ArqRedis = request.app.state.queue
    await enqueue_registration_mails(queue)


class RegistrationApiController(Controller):
    """`/api/v1/events/{ref}/registrations`: anyone registers; editors and admins see and decide."""

    path = "/api/v1/events"
    tags = ["registrations"]

    @post(
        "/{ref:str}/registrations",
        status_code=202,
        guards=[REGISTER_LIMIT],
        summary="Register for an event; a confirmation mail follows (double opt-in)",
    )
    async def register(
        self, request: Request[Any, Any, State], ref: FromPath[str], data: Annotated[RegisterIn, Body()]
    ) -> Accepted:
        settings: Settings = request.app.state.settings
        owed = await signup.register(
            ref,
            data,
            secret_key=settings.secret_key,
            origin=origin_of(request, "api"),
            retention_days=settings.registration_retention_days,
        )
        if owed is not None:
            await mail_owed(request)
        return Accepted()

    @get(
        "/{ref:str}/registrations",
        guards=[requires("editor")],
        summary="Who registered, with counts by status (filters: status, q)",
    )
    async def list_registrations(
        self,
        ref: FromPath[str],
        status: Annotated[Status | None, QueryParameter()] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> RegistrationList:
        return await staff.list_registrations(await staff.event_id_of(ref), status=status, q=q)

    @get(
        "/{ref:str}/registrations/export",
        guards=[requires("editor")],
        summary="The registrations as CSV (cells safe to open in a spreadsheet)",
    )
    async def export(self, ref: FromPath[str]) -> Stream:
        event_id = await staff.event_id_of(ref)
        return Stream(
            staff.export_rows(event_id),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="registrations-{event_id}.csv"',
                "Cache-Control": "no-store",
            },
        )

    @post(
        "/{ref:str}/registrations/mail",
        guards=[requires("editor")],
        status_code=201,
        summary="Draft a campaign to the event's registrants (by status); send it as any campaign",
        description=(
            "Creates a draft campaign whose audience is this event's registrants in `statuses` (any of "
            "registered, waitlisted, accreditation_pending, accredited; all four when left out). Pending, "
            "cancelled, refused and erased registrations and those who opted out of event mail are never "
            "mailed; who is mailed is decided again when sending starts and for each batch. Test, send, "
            "pause and cancel it under `/api/v1/campaigns/{ref}`. Its mails carry no List-Id nor "
            "List-Unsubscribe headers (it is not list mail) but a personal opt-out link, "
            "`/registrations/{token}/event-mail`. 404 for an unknown event, 409 when no registrant in "
            "these statuses may be mailed, 400 for an unknown status, 422 for a field the campaign refuses "
            "(subject in both languages, sender, template)."
        ),
    )
    async def mail_registrants(
        self,
        request: Request[Any, Any, State],
        ref: FromPath[str],
        data: Annotated[event_mail.EventMailIn, Body()],
    ) -> CampaignOut:
        settings: Settings = request.app.state.settings
        event_id = await staff.event_id_of(ref)
        return await event_mail.create_draft(event_id, data, mail_from=settings.mail_from)

    @post(
        "/{ref:str}/registrations/{registration_id:uuid}/accredit",
        guards=[requires("editor")],
        status_code=200,
        summary="Accept or refuse a journalist's press accreditation; they are mailed the outcome",
    )
    async def accredit(
        self,
        request: Request[Principal, Any, State],
        ref: FromPath[str],
        registration_id: FromPath[UUID],
        data: Annotated[DecisionIn, Body()],
    ) -> RegistrationOut:
        settings: Settings = request.app.state.settings
        row = await accreditation.decide(
            await staff.event_id_of(ref),
            registration_id,
            data,
            staff_id=request.user.id,
            press_list=settings.registration_press_list,
        )
        await mail_owed(request)
        return await staff.decided(row)

    @post(
        "/{ref:str}/registrations/{registration_id:uuid}/check-in",
        guards=[requires("editor")],
        status_code=200,
        summary="Note a registrant's arrival",
    )
    async def check_in(self, ref: FromPath[str], registration_id: FromPath[UUID]) -> RegistrationOut:
        return await staff.check_in(await staff.event_id_of(ref), registration_id)

    @post(
        "/{ref:str}/registrations/{registration_id:uuid}/cancel",
        guards=[requires("editor")],
        status_code=200,
        summary="Cancel a registration; the first on the waiting list gets the place and is mailed",
    )
    async def cancel(
        self, request: Request[Any, Any, State], ref: FromPath[str], registration_id: FromPath[UUID]
    ) -> RegistrationOut:
        out = await staff.cancel_by_staff(await staff.event_id_of(ref), registration_id)
        await mail_owed(request)
        return out
