"""The public registration pages: the form `/events/{lang}/{slug}/register`, and the registrant's own page."""

import json
from dataclasses import dataclass
from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath

from content.languages import LANGUAGES, negotiate_language
from content.registration_settings import registration_out
from content.tables import EntryTranslation
from core.db import utcnow
from core.errors import Conflict, DomainError, Invalid, NotFound
from newsletters.addresses import normalise_address
from registrations import event_mail, signup
from registrations.consent import consent_text
from registrations.schemas import RegisterIn, RegistrationState
from service.client_address import peer_address
from service.controllers.registrations import mail_owed
from service.controllers.subscriptions import TOKEN_PAGE_LIMIT, origin_of
from service.form_stamps import issue_stamp, stamp_age
from service.page_texts import sign_up_text
from service.pages import TEXTS as PAGE_TEXTS
from service.pages import page, wants_json
from service.ratelimit import retry_after
from service.registration_texts import REGISTRATION_TEXTS
from service.settings import Settings

FIELD_ORDER: Final = ("name", "email", "organisation", "outlet", "consent", "form")
FOLDER: Final = "registrations"


@dataclass
class RegistrationForm:
    """What the person typed, echoed back when the form is shown again."""

    name: str = ""
    email: str = ""
    organisation: str = ""
    role: str = "participant"
    outlet: str = ""
    consent: bool = False


def _text(lang: str, key: str, **values: str) -> str:
    return REGISTRATION_TEXTS[lang][key].format(**values) if values else REGISTRATION_TEXTS[lang][key]


def _message(
    lang: str, title: str, message: str, *, status_code: int = 200, error: bool = False
) -> Response[str]:
    return page("message.html", lang, status_code=status_code, title=title, message=message, error=error)


async def _event_title(event_id: Any, lang: str) -> str:
    rows = await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.title).where(
        EntryTranslation.entry == event_id
    )
    titles = {row["lang"]: row["title"] for row in rows}
    return titles.get(lang) or next((titles[code] for code in LANGUAGES if code in titles), "")


def _not_found(request: Request[Any, Any, State], lang: str) -> Response[str]:
    """The not-found page, or a problem+json for a caller that asks for JSON."""
    if wants_json(request):
        raise NotFound("no event takes registrations at this address")
    return _message(
        lang, sign_up_text(lang, "not_found_title"), _text(lang, "closed"), status_code=404, error=True
    )


async def _event_or_page(
    request: Request[Any, Any, State], lang: str, slug: str
) -> dict[str, Any] | Response[str]:
    """The published event, or the page that says it is not found or takes no registrations."""
    try:
        event = await signup.public_event(slug)
        signup.check_open(event, utcnow())
    except NotFound:
        return _not_found(request, lang)
    except Conflict as error:
        if wants_json(request):
            raise
        return _message(
            lang, _text(lang, "closed_title"), error_text(lang, error), status_code=409, error=True
        )
    return event


def error_text(lang: str, error: DomainError) -> str:
    """A domain refusal in the page's language."""
    if "full" in error.detail:
        return _text(lang, "full")
    return _text(lang, "closed")


async def _form_page(
    request: Request[Any, Any, State],
    lang: str,
    slug: str,
    event: dict[str, Any],
    form: RegistrationForm,
    errors: dict[str, str] | None = None,
) -> Response[str]:
    settings: Settings = request.app.state.settings
    errors = errors or {}
    title = _text(lang, "form_title", title=await _event_title(event["id"], lang))
    info = registration_out(event["registration"], int(event["places_taken"]))
    other = "en" if lang == "ka" else "ka"
    return page(
        "form.html",
        lang,
        folder=FOLDER,
        status_code=422 if errors else 200,
        title=f"{sign_up_text(lang, 'error_prefix')} {title}" if errors else title,
        heading=title,
        form=form,
        errors={name: errors[name] for name in FIELD_ORDER if name in errors},
        anchors={name: name if name != "form" else "name" for name in FIELD_ORDER},
        stamp=issue_stamp(settings.secret_key),
        consent_text=consent_text(lang, settings.registration_retention_days),
        places_left=info.places_left if info else None,
        waitlist=bool(info and info.waitlist),
        press=bool(info and info.press),
        action=f"/events/{lang}/{slug}/register",
        other_lang=other,
        other_url=f"/events/{other}/{slug}/register",
    )


def _errors(lang: str, form: RegistrationForm, press: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.name or len(form.name) > 200:
        errors["name"] = _text(lang, "err_name")
    if not form.email:
        errors["email"] = sign_up_text(lang, "err_email_missing")
    else:
        try:
            normalise_address(form.email)
        except Invalid:
            errors["email"] = sign_up_text(lang, "err_email_invalid")
    if len(form.organisation) > 300:
        errors["organisation"] = sign_up_text(lang, "err_organisation_long")
    if form.role == "press" and press and (not form.outlet or len(form.outlet) > 300):
        errors["outlet"] = _text(lang, "err_outlet")
    if not form.consent:
        errors["consent"] = _text(lang, "err_consent_event")
    return errors


async def _form_fields(request: Request[Any, Any, Any]) -> dict[str, str]:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return {}
    form = await request.form()
    return {key: str(form.get(key) or "")[:2000] for key in form}


class RegistrationPagesController(Controller):
    """`/events/{lang}/{slug}/register`: a plain form (no JavaScript), the sign-up pages' anti-bot rules."""

    path = "/events"
    tags = ["registrations"]

    @get("/{lang:str}/{slug:str}/register", summary="The registration form of an event")
    async def form(
        self, request: Request[Any, Any, State], lang: FromPath[str], slug: FromPath[str]
    ) -> Response[str]:
        if lang not in LANGUAGES:
            return _not_found(request, negotiate_language(None, request.headers.get("accept-language")))
        found = await _event_or_page(request, lang, slug)
        if isinstance(found, Response):
            return found
        return await _form_page(request, lang, slug, found, RegistrationForm())

    @post(
        "/{lang:str}/{slug:str}/register", status_code=200, summary="Register from the form (double opt-in)"
    )
    async def register(
        self, request: Request[Any, Any, State], lang: FromPath[str], slug: FromPath[str]
    ) -> Response[str]:
        if lang not in LANGUAGES:
            return _not_found(request, negotiate_language(None, request.headers.get("accept-language")))
        settings: Settings = request.app.state.settings
        wait = await retry_after(
            request.app.state.queue,
            f"scmi:ratelimit:register:{peer_address(request)}",
            limit=settings.subscribe_limit_per_ip,
            window=settings.subscribe_limit_window,
        )
        if wait is not None:
            response = _message(
                lang,
                sign_up_text(lang, "err_rate_title"),
                _text(lang, "err_rate_register", minutes=str(max(1, -(-wait // 60)))),
                status_code=429,
                error=True,
            )
            response.headers["Retry-After"] = str(wait)
            return response
        found = await _event_or_page(request, lang, slug)
        if isinstance(found, Response):
            return found
        fields = await _form_fields(request)
        info = registration_out(found["registration"], int(found["places_taken"]))
        press = bool(info and info.press)
        form = RegistrationForm(
            name=fields.get("name", "").strip(),
            email=fields.get("email", "").strip(),
            organisation=fields.get("organisation", "").strip(),
            role="press" if press and fields.get("role") == "press" else "participant",
            outlet=fields.get("outlet", "").strip(),
            consent=bool(fields.get("consent")),
        )
        if fields.get("website"):
            return _check_mail(lang)  # the honeypot: a bot filled the field people never see
        errors = _errors(lang, form, press)
        age = stamp_age(settings.secret_key, fields.get("stamp", ""))
        if not errors and (age is None or age < settings.signup_min_seconds):
            errors["form"] = sign_up_text(lang, "err_resend")
        if errors:
            return await _form_page(request, lang, slug, found, form, errors)
        owed = await signup.register(
            str(found["id"]),
            RegisterIn(
                email=form.email,
                name=form.name,
                consent=True,
                organisation=form.organisation,
                lang=lang,  # checked against LANGUAGES above
                role="press" if form.role == "press" else "participant",
                outlet=form.outlet if form.role == "press" else "",
            ),
            secret_key=settings.secret_key,
            origin=origin_of(request, "registration-page"),
            retention_days=settings.registration_retention_days,
        )
        if owed is not None:
            await mail_owed(request)
        return _check_mail(lang)


def _check_mail(lang: str) -> Response[str]:
    return page(
        "message.html",
        lang,
        title=sign_up_text(lang, "check_mail_title"),
        message=sign_up_text(lang, "check_mail_body"),
        more=[sign_up_text(lang, "check_mail_ignore")],
    )


def _own_page(
    request: Request[Any, Any, Any], state: RegistrationState, problem: str = "", status_code: int = 200
) -> Response[Any]:
    if wants_json(request):
        if problem:
            raise Conflict(problem, field="action")
        return Response(state, headers={"Cache-Control": "no-store"})
    return page(
        "own.html",
        state.lang,
        folder=FOLDER,
        status_code=status_code,
        title=_text(state.lang, "own_title"),
        state=state,
        problem=problem,
    )


def _invalid_link(request: Request[Any, Any, Any], error: NotFound) -> Response[str]:
    if wants_json(request):
        raise error
    lang = negotiate_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    return page(
        "message.html",
        lang,
        status_code=404,
        title=PAGE_TEXTS[lang]["error_title"],
        message=PAGE_TEXTS[lang]["invalid_link"],
        error=True,
    )


async def _action(request: Request[Any, Any, Any]) -> str:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise Invalid("the body is not JSON", field="action") from None
        action = body.get("action") if isinstance(body, dict) else None
        return action if isinstance(action, str) else ""
    return (await _form_fields(request)).get("action", "")


async def _event_mail_page(row: dict[str, Any], *, done: bool) -> Response[str]:
    lang = row["lang"]
    title = await event_mail.event_title(row["event"], lang)
    return page(
        "event_mail.html", lang, folder=FOLDER, title=_text(lang, "event_mail_title"), event_title=title,
        done=done,
    )  # fmt: skip


class RegistrantPageController(Controller):
    """`/registrations/{token}`: the registrant's page. A GET only shows (mail scanners open links)."""

    path = "/registrations"
    tags = ["registrations"]

    @get("/{token:str}", summary="The registrant's page: status; confirm or cancel by POST")
    async def show(self, request: Request[Any, Any, State], token: FromPath[str]) -> Response[Any]:
        try:
            return _own_page(request, await signup.state_of(token))
        except NotFound as error:
            return _invalid_link(request, error)

    @get("/{token:str}/event-mail", summary="Opting out of mail about the event: a page with a button")
    async def event_mail_page(self, request: Request[Any, Any, State], token: FromPath[str]) -> Response[Any]:
        try:
            row = await event_mail.event_of(token)
        except NotFound as error:
            return _invalid_link(request, error)
        return await _event_mail_page(row, done=row["event_mail_opted_out_at"] is not None)

    @post(
        "/{token:str}/event-mail",
        status_code=200,
        guards=[TOKEN_PAGE_LIMIT],
        summary="Opt out of mail about the event (mails about one's own registration still go out)",
    )
    async def opt_out(self, request: Request[Any, Any, State], token: FromPath[str]) -> Response[Any]:
        try:
            row = await event_mail.opt_out(token)
        except NotFound as error:
            return _invalid_link(request, error)
        return await _event_mail_page(row, done=True)

    @post(
        "/{token:str}",
        status_code=200,
        guards=[TOKEN_PAGE_LIMIT],
        summary="`action=confirm` takes a place (or the waiting list); `action=cancel` cancels",
    )
    async def act(self, request: Request[Any, Any, State], token: FromPath[str]) -> Response[Any]:
        action = await _action(request)
        if action not in ("confirm", "cancel"):
            raise Invalid("action is confirm or cancel", field="action")
        try:
            if action == "confirm":
                try:
                    state = await signup.confirm(token)
                except Conflict as error:
                    state = await signup.state_of(token)
                    return _own_page(request, state, error_text(state.lang, error), status_code=409)
            else:
                state = await signup.cancel_by_token(token)
        except NotFound as error:
            return _invalid_link(request, error)
        await mail_owed(request)
        return _own_page(request, state)
