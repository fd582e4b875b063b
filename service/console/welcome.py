"""The one-time welcome page where an invited staff member sets their password."""

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from accounts.invites import accept_invite, invitee
from accounts.passwords import PasswordRefused
from core.errors import NotFound
from service.console.rendering import console_page
from service.console.session import audit_access, form_token, page_language
from service.console.texts import TEXTS

AnyRequest = Request[Any, Any, Any]


def _invalid_link(lang: str) -> Response[str]:
    texts = TEXTS[lang]
    return console_page(
        "message.html",
        lang,
        status_code=404,
        title=texts["welcome_title"],
        body=texts["link_invalid"],
        link={"href": "/console/sign-in", "text": texts["sign_in_title"]},
    )


class WelcomeController(Controller):
    """`/console/welcome/{token}`: shown while the link is valid, spent when the password is set."""

    path = "/console/welcome"
    include_in_schema = False

    @get("/{token:str}")
    async def welcome_page(self, request: AnyRequest, token: FromPath[str]) -> Response[Any]:
        lang = page_language(request)
        try:
            person = await invitee(token)
        except NotFound:
            return _invalid_link(lang)
        return console_page(
            "welcome.html", person.lang, csrf_token=form_token(request), person=person, token=token
        )

    @post("/{token:str}", status_code=303)
    async def set_password(self, request: AnyRequest, token: FromPath[str]) -> Response[Any]:
        lang = page_language(request)
        form = await request.form()
        try:
            lang = (await invitee(token)).lang
        except NotFound:
            return _invalid_link(lang)
        password = form.get("password", "")
        try:
            person = await accept_invite(token, password if isinstance(password, str) else "")
        except NotFound:
            return _invalid_link(lang)
        except PasswordRefused as refused:
            return console_page(
                "welcome.html",
                lang,
                status_code=400,
                csrf_token=form_token(request),
                person=await invitee(token),
                token=token,
                errors={"password": TEXTS[lang][f"password_{refused.reason}"]},
            )
        await audit_access(request, "password.set", staff_id=person.staff_id, email=person.email)
        return Redirect(f"/console/sign-in?done=password&lang={lang}", status_code=303)
