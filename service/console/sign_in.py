"""The console's sign-in pages: password, second factor, its set-up, sign-out and the language choice."""

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect
from markupsafe import Markup

from accounts.console_sessions import (
    Stage,
    complete_second_factor,
    end_every_session,
    end_session,
    start_session,
)
from accounts.second_factor import is_secret, new_secret, qr_svg, setup_uri
from accounts.sign_in import (
    SignInRefused,
    Throttled,
    check_password,
    check_second_factor,
    enable_second_factor,
    has_second_factor,
    set_interface_language,
)
from core.errors import Invalid
from service.client_address import peer_address
from service.console.rendering import console_page
from service.console.session import (
    audit_access,
    current_user,
    expired_cookie,
    form_token,
    page_language,
    session_cookie,
    settings_of,
    signed_in,
)
from service.console.texts import TEXTS

AnyRequest = Request[Any, Any, Any]


async def _form(request: AnyRequest) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


class SignInController(Controller):
    """Signing in and out of the console."""

    path = "/console"
    include_in_schema = False

    @get("/sign-in")
    async def sign_in_page(self, request: AnyRequest) -> Response[Any]:
        user = await current_user(request)
        if user is not None and user.stage == "signed_in":
            return Redirect("/console/")
        lang = page_language(request)
        notice = ""
        if request.query_params.get("done") == "password":
            notice = TEXTS[lang]["password_set"]
        elif request.query_params.get("done") == "signed-out":
            notice = TEXTS[lang]["signed_out"]
        return console_page("sign_in.html", lang, csrf_token=form_token(request), email="", notice=notice)

    @post("/sign-in", status_code=303)
    async def sign_in(self, request: AnyRequest) -> Response[Any]:
        lang = page_language(request)
        texts = TEXTS[lang]
        form = await _form(request)
        email = form.get("email", "")[:320]
        ip = peer_address(request)
        try:
            accepted = await check_password(email, form.get("password", ""), ip=ip)
        except (Throttled, SignInRefused) as refusal:
            throttled = isinstance(refusal, Throttled)
            await audit_access(request, "sign_in.refused", email=email, status=429 if throttled else 400)
            return console_page(
                "sign_in.html",
                lang,
                status_code=429 if throttled else 400,
                csrf_token=form_token(request),
                email=email,
                errors={"email": texts["throttled" if throttled else "refused"]},
            )
        stage: Stage = "signed_in" if accepted.next == "signed_in" else "second_factor"
        token = await start_session(
            accepted.staff_id, stage=stage, ip=ip, user_agent=request.headers.get("user-agent", "")
        )
        if stage == "signed_in":
            await audit_access(request, "sign_in", staff_id=accepted.staff_id, email=accepted.email)
        target = {
            "signed_in": "/console/",
            "second_factor": "/console/sign-in/code",
            "set_up_second_factor": "/console/second-factor",
        }[accepted.next]
        return Redirect(target, status_code=303, cookies=[session_cookie(token, settings_of(request))])

    @get("/sign-in/code")
    async def code_page(self, request: AnyRequest) -> Response[Any]:
        user = await current_user(request)
        if user is None or user.stage != "second_factor":
            return Redirect("/console/sign-in")
        return console_page("code.html", user.interface_lang, csrf_token=form_token(request))

    @post("/sign-in/code", status_code=303)
    async def code(self, request: AnyRequest) -> Response[Any]:
        user = await current_user(request)
        if user is None or user.stage != "second_factor":
            return Redirect("/console/sign-in", status_code=303)
        lang = user.interface_lang
        form = await _form(request)
        try:
            await check_second_factor(user.principal.id, form.get("code", "")[:40], ip=peer_address(request))
        except (Throttled, SignInRefused) as refusal:
            throttled = isinstance(refusal, Throttled)
            await audit_access(
                request,
                "sign_in.code_refused",
                staff_id=user.principal.id,
                email=user.principal.email,
                status=429 if throttled else 400,
            )
            return console_page(
                "code.html",
                lang,
                status_code=429 if throttled else 400,
                csrf_token=form_token(request),
                errors={"code": TEXTS[lang]["throttled" if throttled else "code_refused"]},
            )
        token = await complete_second_factor(user.session_id)
        await audit_access(request, "sign_in", staff_id=user.principal.id, email=user.principal.email)
        return Redirect("/console/", status_code=303, cookies=[session_cookie(token, settings_of(request))])

    @get("/second-factor")
    async def setup_page(self, request: AnyRequest) -> Response[Any]:
        user = await current_user(request)
        # Before the code step, set-up is only for those who have no second factor yet.
        if user is None or (user.stage != "signed_in" and await has_second_factor(user.principal.id)):
            return Redirect("/console/sign-in")
        secret = new_secret()
        return console_page(
            "setup.html",
            user.interface_lang,
            user=user if user.stage == "signed_in" else None,
            csrf_token=form_token(request),
            secret=secret,
            qr=Markup(qr_svg(setup_uri(secret, user.principal.email))),  # noqa: S704 (segno's own SVG)
        )

    @post("/second-factor")
    async def set_up(self, request: AnyRequest) -> Response[Any]:
        user = await current_user(request)
        if user is None or (user.stage != "signed_in" and await has_second_factor(user.principal.id)):
            return Redirect("/console/sign-in", status_code=303)
        form = await _form(request)
        secret = form.get("secret", "")[:64]
        if not is_secret(secret):  # a tampered form: start the set-up again with a fresh key
            secret = new_secret()
        try:
            codes = await enable_second_factor(user.principal.id, secret, form.get("code", "")[:10])
        except Invalid:
            return console_page(
                "setup.html",
                user.interface_lang,
                status_code=400,
                user=user if user.stage == "signed_in" else None,
                csrf_token=form_token(request),
                secret=secret,
                qr=Markup(qr_svg(setup_uri(secret, user.principal.email))),  # noqa: S704 (segno's own SVG)
                errors={"code": TEXTS[user.interface_lang]["setup_refused"]},
            )
        await audit_access(
            request, "second_factor.enabled", staff_id=user.principal.id, email=user.principal.email
        )
        cookies = []
        if user.stage != "signed_in":
            token = await complete_second_factor(user.session_id)
            cookies.append(session_cookie(token, settings_of(request)))
            await audit_access(request, "sign_in", staff_id=user.principal.id, email=user.principal.email)
        return console_page("recovery.html", user.interface_lang, codes=codes, cookies=cookies)

    @post("/sign-out", status_code=303)
    async def sign_out(self, request: AnyRequest) -> Response[Any]:
        user = await current_user(request)
        if user is not None:
            await end_session(user.session_id)
            await audit_access(request, "sign_out", staff_id=user.principal.id, email=user.principal.email)
        return Redirect(
            "/console/sign-in?done=signed-out",
            status_code=303,
            cookies=[expired_cookie(settings_of(request))],
        )

    @post("/sign-out-everywhere", status_code=303)
    async def sign_out_everywhere(self, request: AnyRequest) -> Response[Any]:
        user = await signed_in(request)
        ended = await end_every_session(user.principal.id)
        await audit_access(
            request, f"sign_out.everywhere:{ended}", staff_id=user.principal.id, email=user.principal.email
        )
        return Redirect(
            "/console/sign-in?done=signed-out",
            status_code=303,
            cookies=[expired_cookie(settings_of(request))],
        )

    @post("/language", status_code=303)
    async def language(self, request: AnyRequest) -> Response[Any]:
        user = await signed_in(request)
        form = await _form(request)
        lang = form.get("lang", "")
        if lang in TEXTS:
            await set_interface_language(user.principal.id, lang)
        return Redirect("/console/", status_code=303)
