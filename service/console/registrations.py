"""The console's registrations of an event: counts, search, export, and check-in at the door (phone-sized)."""

from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Stream

from accounts.console_sessions import ConsoleUser
from content.tables import EntryTranslation
from core.errors import Conflict, NotFound
from registrations import event_mail, staff
from registrations.schemas import STATUSES
from service.console.registration_texts import CONSOLE_REGISTRATION_TEXTS
from service.console.rendering import console_page
from service.console.session import form_token, signed_in
from service.settings import Settings

AnyRequest = Request[Any, Any, Any]


async def _editor(request: AnyRequest) -> ConsoleUser:
    user = await signed_in(request)
    if not user.principal.has_role("editor"):
        raise PermissionDeniedException
    return user


async def _title(event_id: UUID, lang: str) -> str:
    rows = await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.title).where(
        EntryTranslation.entry == event_id
    )
    titles = {row["lang"]: row["title"] for row in rows}
    return titles.get(lang) or next(iter(titles.values()), "")


class RegistrationPagesController(Controller):
    """`/console/events/{id}/registrations`: the same rules as the API's (editors and admins)."""

    path = "/console/events/{entry_id:uuid}/registrations"
    include_in_schema = False

    @get("/")
    async def registrations(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[str]:
        user = await _editor(request)
        status = request.query_params.get("status") or None
        status = status if status in STATUSES else None
        q = (request.query_params.get("q") or "")[:200]
        try:
            listing = await staff.list_registrations(entry_id, status=status, q=q or None)
        except NotFound as error:
            raise NotFoundException from error
        lang = user.interface_lang
        texts = CONSOLE_REGISTRATION_TEXTS[lang]
        notice = {"1": texts["checked_in_notice"], "0": texts["cannot_check_in"]}.get(
            request.query_params.get("checked", ""), ""
        )
        if request.query_params.get("mail") == "nobody":
            notice = texts["mail_nobody"]
        return console_page(
            "registrations.html",
            lang,
            user=user,
            kind="events",
            csrf_token=form_token(request),
            rt=texts,
            title=texts["title"].format(title=await _title(entry_id, lang)),
            event_id=entry_id,
            listing=listing,
            statuses=STATUSES,
            mailable=event_mail.MAILABLE,
            status=status,
            q=q,
            notice=notice,
        )

    @post("/{registration_id:uuid}/check-in", status_code=303)
    async def check_in(
        self, request: AnyRequest, entry_id: FromPath[UUID], registration_id: FromPath[UUID]
    ) -> Response[Any]:
        await _editor(request)
        try:
            await staff.check_in(entry_id, registration_id)
            checked = "1"
        except NotFound as error:
            raise NotFoundException from error
        except Conflict:
            checked = "0"
        form = await request.form()
        q = str(form.get("q") or "")[:200]
        back = f"/console/events/{entry_id}/registrations/?checked={checked}"
        if q:
            back += f"&q={quote(q)}"
        return Redirect(back, status_code=303)

    @post("/mail", status_code=303)
    async def mail(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[Any]:
        """Draft a campaign to the ticked registrants (its subject the event's title), then open it."""
        await _editor(request)
        form = await request.form()
        ticked = {str(each) for each in form.getall("statuses", [])}
        statuses = [name for name in event_mail.MAILABLE if name in ticked]
        settings: Settings = request.app.state.settings
        try:
            subject = await event_mail.titles(entry_id)
            draft = event_mail.EventMailIn(
                template="newsletter",
                subject=subject,
                statuses=statuses,  # none ticked: nobody
            )
            campaign = await event_mail.create_draft(entry_id, draft, mail_from=settings.mail_from)
        except NotFound as error:
            raise NotFoundException from error
        except Conflict:
            return Redirect(f"/console/events/{entry_id}/registrations/?mail=nobody", status_code=303)
        return Redirect(f"/console/campaigns/{campaign.id}", status_code=303)

    @get("/export")
    async def export(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Stream:
        await _editor(request)
        try:
            await staff.list_registrations(entry_id, status="registered")
        except NotFound as error:
            raise NotFoundException from error
        return Stream(
            staff.export_rows(entry_id),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="registrations-{entry_id}.csv"',
                "Cache-Control": "no-store",
            },
        )
