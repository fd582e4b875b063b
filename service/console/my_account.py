"""`/console/account`: every signed-in person's own settings: language, password, second factor and
recovery codes, sessions, API tokens and (for editors) the review mails."""

import re
from typing import Any, Final
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from accounts import staff
from accounts.console_sessions import ConsoleUser, end_other_sessions, end_session_of, open_sessions
from accounts.my_account import change_password, regenerate_recovery_codes, unused_recovery_codes
from accounts.passwords import PasswordRefused
from accounts.sign_in import has_second_factor, review_mails_of, set_interface_language, set_review_mails
from core.errors import Conflict, Invalid, NotFound
from service.console.rendering import console_page
from service.console.session import audit_access, form_token, limits_of, settings_of, signed_in
from service.console.texts import TEXTS

AnyRequest = Request[Any, Any, Any]
LABEL_LIMIT: Final = 200
CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
NOTICES: Final = ("lang", "password", "session", "others", "token_revoked", "review_mails")


async def _form(request: AnyRequest) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


class MyAccountController(Controller):
    """The signed-in person's own account page and its forms."""

    path = "/console/account"
    include_in_schema = False

    async def _page(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        notice: str = "",
        **shown_once: Any,
    ) -> Response[str]:
        staff_id = user.principal.id
        second_factor = await has_second_factor(staff_id)
        return console_page(
            "account.html",
            user.interface_lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            errors=errors or {},
            notice=notice,
            second_factor=second_factor,
            recovery_left=await unused_recovery_codes(staff_id) if second_factor else 0,
            sessions=await open_sessions(staff_id, limits_of(settings_of(request))),
            tokens=await staff.list_tokens(staff_id),
            review_mails=await review_mails_of(staff_id),
            **shown_once,
        )

    @get("/")
    async def account_page(self, request: AnyRequest) -> Response[str]:
        user = await signed_in(request)
        done = request.query_params.get("done", "")
        notice = TEXTS[user.interface_lang][f"me_done_{done}"] if done in NOTICES else ""
        return await self._page(request, user, notice=notice)

    @post("/language", status_code=303)
    async def language(self, request: AnyRequest) -> Response[Any]:
        user = await signed_in(request)
        lang = (await _form(request)).get("lang", "")
        if lang not in TEXTS:
            errors = {"lang": TEXTS[user.interface_lang]["me_lang_bad"]}
            return await self._page(request, user, status_code=422, errors=errors)
        await set_interface_language(user.principal.id, lang)
        return Redirect("/console/account/?done=lang", status_code=303)

    @post("/password", status_code=303)
    async def password(self, request: AnyRequest) -> Response[Any]:
        user = await signed_in(request)
        texts = TEXTS[user.interface_lang]
        form = await _form(request)
        new, again = form.get("new_password", ""), form.get("new_password_again", "")
        errors: dict[str, str] = {}
        if new != again:
            errors["new_password_again"] = texts["me_password_mismatch"]
        else:
            try:
                await change_password(
                    user.principal.id,
                    form.get("current_password", "")[:300],
                    new,
                    session_id=user.session_id,
                )
            except PasswordRefused as refused:
                errors["new_password"] = texts[f"password_{refused.reason}"]
            except Invalid:
                errors["current_password"] = texts["me_current_wrong"]
        if errors:
            return await self._page(request, user, status_code=422, errors=errors)
        await audit_access(
            request, "password.changed", staff_id=user.principal.id, email=user.principal.email
        )
        return Redirect("/console/account/?done=password", status_code=303)

    @post("/recovery-codes", status_code=200)
    async def recovery_codes(self, request: AnyRequest) -> Response[Any]:
        user = await signed_in(request)
        texts = TEXTS[user.interface_lang]
        form = await _form(request)
        try:
            codes = await regenerate_recovery_codes(user.principal.id, form.get("code_password", "")[:300])
        except Conflict:
            errors = {"code_password": texts["me_no_second_factor"]}
            return await self._page(request, user, status_code=409, errors=errors)
        except Invalid:
            errors = {"code_password": texts["me_current_wrong"]}
            return await self._page(request, user, status_code=422, errors=errors)
        await audit_access(
            request, "recovery_codes.renewed", staff_id=user.principal.id, email=user.principal.email
        )
        # Shown on this answer only, as at set-up: they are stored hashed.
        return console_page(
            "recovery.html", user.interface_lang, user=user, csrf_token=form_token(request), codes=codes
        )

    @post("/sessions/{session_id:uuid}/end", status_code=303)
    async def end_session(self, request: AnyRequest, session_id: FromPath[UUID]) -> Response[Any]:
        user = await signed_in(request)
        try:
            await end_session_of(user.principal.id, session_id)
        except NotFound:
            raise NotFoundException from None
        await audit_access(request, "session.ended", staff_id=user.principal.id, email=user.principal.email)
        if session_id == user.session_id:
            return Redirect("/console/sign-in?done=signed-out", status_code=303)
        return Redirect("/console/account/?done=session", status_code=303)

    @post("/sessions/end-others", status_code=303)
    async def end_others(self, request: AnyRequest) -> Response[Any]:
        user = await signed_in(request)
        ended = await end_other_sessions(user.principal.id, keep=user.session_id)
        await audit_access(
            request, f"session.ended_others:{ended}", staff_id=user.principal.id, email=user.principal.email
        )
        return Redirect("/console/account/?done=others", status_code=303)

    @post("/tokens", status_code=200)
    async def new_token(self, request: AnyRequest) -> Response[Any]:
        user = await signed_in(request)
        texts = TEXTS[user.interface_lang]
        label = (await _form(request)).get("label", "").strip()
        if not label or len(label) > LABEL_LIMIT or CONTROL.search(label):
            errors = {"label": texts["me_label_bad"].format(count=LABEL_LIMIT)}
            return await self._page(request, user, status_code=422, errors=errors)
        made = await staff.issue_token(user.principal.id, label)
        await audit_access(request, "token.created", staff_id=user.principal.id, email=user.principal.email)
        # The token is on this answer only (no redirect, no-store); only its hash is kept.
        return await self._page(request, user, new_token=made.token, new_token_label=label)

    @post("/tokens/{token_id:uuid}/revoke", status_code=303)
    async def revoke_token(self, request: AnyRequest, token_id: FromPath[UUID]) -> Response[Any]:
        user = await signed_in(request)
        try:
            await staff.revoke_token(token_id, user.principal.id)
        except NotFound:
            raise NotFoundException from None
        await audit_access(request, "token.revoked", staff_id=user.principal.id, email=user.principal.email)
        return Redirect("/console/account/?done=token_revoked", status_code=303)

    @post("/review-mails", status_code=303)
    async def review_mails(self, request: AnyRequest) -> Response[Any]:
        # Shown to editors (only they are mailed), taken from anyone, as PATCH /api/v1/me does.
        user = await signed_in(request)
        wanted = (await _form(request)).get("review_mails") == "yes"
        await set_review_mails(user.principal.id, wanted)
        return Redirect("/console/account/?done=review_mails", status_code=303)
