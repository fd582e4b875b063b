"""Subscribers for admins: search, add, edit, erase, consent history, CSV import and export."""

import io
import tempfile
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Stream

from accounts.roles import Principal
from newsletters import consent, subscribers
from newsletters.consent import ConsentEventOut, Origin
from newsletters.exporting import export_csv
from newsletters.importing import ImportReport, import_csv
from newsletters.subscriber_schemas import (
    Status,
    SubscriberIn,
    SubscriberOut,
    SubscriberPage,
    SubscriberPatch,
)
from registrations.erasure import erase_subscriber_everywhere
from service.auth import requires
from service.client_address import peer_address
from service.settings import Settings

MAX_IMPORT_BYTES = 256 * 1024 * 1024
SPOOL_IN_MEMORY = 4 * 1024 * 1024


def staff_origin(request: Request[Principal, Any, Any], source: str) -> Origin:
    """A consent step taken by a staff member."""
    return Origin(
        source=source,
        ip=peer_address(request),
        user_agent=request.headers.get("user-agent", ""),
        staff_id=request.user.id,
    )


def export_stream(*, include_left: bool) -> Stream:
    """The subscribers CSV as a download, streamed: the API's export and the console's alike."""
    return Stream(
        export_csv(include_left=include_left),
        media_type="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="subscribers.csv"',
            "Cache-Control": "no-store",
        },
    )


class SubscriberController(Controller):
    """`/api/v1/subscribers`: personal data, for admins only."""

    path = "/api/v1/subscribers"
    tags = ["subscribers"]
    guards = [requires("admin")]

    @get("/", summary="Search by address, name, organisation (q), status and list")
    async def search(
        self,
        q: Annotated[str | None, QueryParameter(max_length=320)] = None,
        status: Annotated[Status | None, QueryParameter()] = None,
        list_slug: Annotated[str | None, QueryParameter(name="list", max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> SubscriberPage:
        return await subscribers.search_subscribers(
            q=q, status=status, list_slug=list_slug, limit=limit, cursor=cursor
        )

    @post("/", summary="Add a subscriber on a recorded basis (for example a partnership agreement)")
    async def add(
        self, request: Request[Principal, Any, State], data: Annotated[SubscriberIn, Body()]
    ) -> SubscriberOut:
        settings: Settings = request.app.state.settings
        return await subscribers.add_subscriber(
            data, secret_key=settings.secret_key, origin=staff_origin(request, "staff")
        )

    @get("/{subscriber_id:uuid}", summary="One subscriber with their lists")
    async def get_one(self, subscriber_id: FromPath[UUID]) -> SubscriberOut:
        return await subscribers.get_subscriber(subscriber_id)

    @patch("/{subscriber_id:uuid}", summary="Edit name, organisation, language or lists")
    async def edit(
        self,
        request: Request[Principal, Any, State],
        subscriber_id: FromPath[UUID],
        data: Annotated[SubscriberPatch, Body()],
    ) -> SubscriberOut:
        return await subscribers.edit_subscriber(subscriber_id, data, origin=staff_origin(request, "staff"))

    @delete(
        "/{subscriber_id:uuid}",
        summary="Erase: personal data goes (their event registrations too), counts and a keyed hash stay",
    )
    async def erase(self, request: Request[Principal, Any, State], subscriber_id: FromPath[UUID]) -> None:
        await erase_subscriber_everywhere(
            subscriber_id, origin=staff_origin(request, "staff"), staff_email=request.user.email
        )

    @get("/{subscriber_id:uuid}/consent", summary="The subscriber's consent history, oldest first")
    async def consent_history(self, subscriber_id: FromPath[UUID]) -> list[ConsentEventOut]:
        await subscribers.get_subscriber(subscriber_id)
        return await consent.history(subscriber_id)

    @post(
        "/import",
        status_code=200,
        request_max_body_size=MAX_IMPORT_BYTES,
        summary="Import CSV (`email,name,organisation,lang,lists`); the report lists refused rows",
    )
    async def import_subscribers(
        self,
        request: Request[Principal, Any, State],
        basis: Annotated[str, QueryParameter(min_length=3, max_length=2000)],
    ) -> ImportReport:
        settings: Settings = request.app.state.settings
        # Spool the streamed body (memory up to a few MB, then disk) and read it back row by row.
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            async for chunk in request.stream():
                spool.write(chunk)
            spool.seek(0)
            text = io.TextIOWrapper(spool, encoding="utf-8-sig", errors="replace", newline="")
            try:
                return await import_csv(
                    text, secret_key=settings.secret_key, basis=basis, origin=staff_origin(request, "import")
                )
            finally:
                text.detach()

    @get("/export", summary="Export active and pending subscribers as CSV, streamed", media_type="text/csv")
    async def export(self, include_left: Annotated[bool, QueryParameter()] = False) -> Stream:
        return export_stream(include_left=include_left)
