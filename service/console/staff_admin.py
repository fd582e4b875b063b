"""The console's staff pages (admin only, as the API): the list, invitations, roles, deactivation, and a
person's API tokens and console sessions to revoke."""

import re
from typing import Any, Final
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect

from accounts import staff
from accounts.console_sessions import ConsoleUser, end_session_of, open_sessions
from accounts.invites import invite_staff
from accounts.roles import ROLES
from content.languages import LANGUAGES
from core.errors import Conflict, Invalid, NotFound
from service.console.invite_mail import mail_invitation
from service.console.rendering import console_page
from service.console.session import audit_access, form_token, limits_of, settings_of, signed_in
from service.console.texts import TEXTS

AnyRequest = Request[Any, Any, Any]
LIMITS: Final = {"email": 320, "name": 200}
CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


async def _admin(request: AnyRequest) -> ConsoleUser:
    user = await signed_in(request)
    if not user.principal.has_role("admin"):
        raise PermissionDeniedException
    return user


async def _form(request: AnyRequest) -> dict[str, str]:
    form = await request.form()
    return {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}


def _page(request: AnyRequest, user: ConsoleUser, template: str, **context: Any) -> Response[str]:
    return console_page(
        template,
        user.interface_lang,
        user=user,
        csrf_token=form_token(request),
        errors=context.pop("errors", None) or {},
        **context,
    )


def _invite_errors(form: dict[str, str], texts: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    email = form.get("email", "")
    if not email:
        errors["email"] = texts["st_email_missing"]
    elif len(email) > LIMITS["email"]:
        errors["email"] = texts["st_too_long"].format(count=LIMITS["email"])
    if len(form.get("name", "")) > LIMITS["name"]:
        errors["name"] = texts["st_too_long"].format(count=LIMITS["name"])
    elif CONTROL.search(form.get("name", "")):
        errors["name"] = texts["st_control"]
    if form.get("role") not in ROLES:
        errors["role"] = texts["st_role_bad"]
    if form.get("lang") not in LANGUAGES:
        errors["lang"] = texts["st_lang_bad"]
    return errors


class StaffPagesController(Controller):
    """`/console/staff/`: everyone on the staff, the invitation form, and each person's page."""

    path = "/console/staff"
    include_in_schema = False

    async def _list(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        *,
        status_code: int = 200,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Response[str]:
        return _page(
            request,
            user,
            "staff_list.html",
            status_code=status_code,
            people=await staff.list_staff(),
            roles=ROLES,
            languages=LANGUAGES,
            form=form or {"role": "author", "lang": "ka"},
            errors=errors,
        )

    @get("/")
    async def list_page(self, request: AnyRequest) -> Response[str]:
        user = await _admin(request)
        return await self._list(request, user)

    @post("/", status_code=200)
    async def invite(self, request: AnyRequest) -> Response[str]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        form = await _form(request)
        errors = _invite_errors(form, texts)
        if errors:
            return await self._list(request, user, status_code=422, form=form, errors=errors)
        try:
            invitation = await invite_staff(form["email"], form["role"], form.get("name", ""), form["lang"])
        except Invalid:
            errors = {"email": texts["st_email_bad"]}
            return await self._list(request, user, status_code=422, form=form, errors=errors)
        except Conflict:
            errors = {"email": texts["st_email_taken"]}
            return await self._list(request, user, status_code=409, form=form, errors=errors)
        settings = settings_of(request)
        link = f"{settings.public_url}/console/welcome/{invitation.token}"
        await audit_access(
            request,
            f"staff.invited:{invitation.role}",
            staff_id=user.principal.id,
            email=user.principal.email,
            target=invitation.email,
        )
        mailed = await mail_invitation(settings, invitation.email, form["lang"], link)
        # The link is shown on this answer only (no redirect, no-store): it is never stored in clear.
        return _page(request, user, "staff_invited.html", invitation=invitation, link=link, mailed=mailed)

    async def _person(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        staff_id: UUID,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        notice: str = "",
    ) -> Response[str]:
        try:
            person = await staff.get_staff(staff_id)
        except NotFound:
            raise NotFoundException from None
        return _page(
            request,
            user,
            "staff_person.html",
            status_code=status_code,
            person=person,
            roles=ROLES,
            tokens=await staff.list_tokens(staff_id),
            sessions=await open_sessions(staff_id, limits_of(settings_of(request))),
            myself=person.id == user.principal.id,
            errors=errors,
            notice=notice,
        )

    @get("/{staff_id:uuid}")
    async def person_page(self, request: AnyRequest, staff_id: FromPath[UUID]) -> Response[str]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        done = request.query_params.get("done", "")
        notice = texts.get(f"st_done_{done}", "")
        return await self._person(request, user, staff_id, notice=notice)

    async def _change(
        self, request: AnyRequest, user: ConsoleUser, staff_id: UUID, field: str, change: Any
    ) -> Response[Any] | None:
        """Run one change; the person's page with the refusal if it is refused, None when it is done."""
        texts = TEXTS[user.interface_lang]
        try:
            await change
        except NotFound:
            raise NotFoundException from None
        except Conflict:
            errors = {field: texts["st_not_yourself"]}
            return await self._person(request, user, staff_id, status_code=409, errors=errors)
        return None

    @post("/{staff_id:uuid}/role", status_code=303)
    async def change_role(self, request: AnyRequest, staff_id: FromPath[UUID]) -> Response[Any]:
        user = await _admin(request)
        form = await _form(request)
        role = form.get("role", "")
        if role not in ROLES:
            errors = {"role": TEXTS[user.interface_lang]["st_role_bad"]}
            return await self._person(request, user, staff_id, status_code=422, errors=errors)
        refused = await self._change(
            request, user, staff_id, "role", staff.set_role(staff_id, role, by=user.principal.id)
        )
        if refused is not None:
            return refused
        await audit_access(
            request,
            f"staff.role:{role}",
            staff_id=user.principal.id,
            email=user.principal.email,
            target=str(staff_id),
        )
        return Redirect(f"/console/staff/{staff_id}?done=role", status_code=303)

    @post("/{staff_id:uuid}/status", status_code=303)
    async def change_status(self, request: AnyRequest, staff_id: FromPath[UUID]) -> Response[Any]:
        user = await _admin(request)
        form = await _form(request)
        action = form.get("action", "")
        if action not in ("deactivate", "restore"):
            errors = {"status": TEXTS[user.interface_lang]["st_action_bad"]}
            return await self._person(request, user, staff_id, status_code=422, errors=errors)
        change = staff.set_disabled(staff_id, action == "deactivate", by=user.principal.id)
        refused = await self._change(request, user, staff_id, "status", change)
        if refused is not None:
            return refused
        await audit_access(
            request,
            f"staff.{action}d",
            staff_id=user.principal.id,
            email=user.principal.email,
            target=str(staff_id),
        )
        return Redirect(f"/console/staff/{staff_id}?done={action}", status_code=303)

    @post("/{staff_id:uuid}/tokens/{token_id:uuid}/revoke", status_code=303)
    async def revoke_token(
        self, request: AnyRequest, staff_id: FromPath[UUID], token_id: FromPath[UUID]
    ) -> Response[Any]:
        user = await _admin(request)
        try:
            await staff.revoke_token(token_id, staff_id)
        except NotFound:
            raise NotFoundException from None
        await audit_access(
            request,
            "token.revoked",
            staff_id=user.principal.id,
            email=user.principal.email,
            target=str(staff_id),
        )
        return Redirect(f"/console/staff/{staff_id}?done=token", status_code=303)

    @post("/{staff_id:uuid}/sessions/{session_id:uuid}/end", status_code=303)
    async def end_session(
        self, request: AnyRequest, staff_id: FromPath[UUID], session_id: FromPath[UUID]
    ) -> Response[Any]:
        user = await _admin(request)
        try:
            await end_session_of(staff_id, session_id)
        except NotFound:
            raise NotFoundException from None
        await audit_access(
            request,
            "session.revoked",
            staff_id=user.principal.id,
            email=user.principal.email,
            target=str(staff_id),
        )
        if session_id == user.session_id:  # an admin ending their own browser here is signed out
            return Redirect("/console/sign-in", status_code=303)
        return Redirect(f"/console/staff/{staff_id}?done=session", status_code=303)
