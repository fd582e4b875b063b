"""The sign-up pages `/subscriptions/{lang}/` and `/subscriptions/{lang}/{list}`: plain HTML forms."""

import functools
from dataclasses import dataclass, field
from typing import Any, Final

from arq.connections import ArqRedis
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath

from content.languages import LANGUAGES, negotiate_language
from core.errors import Invalid, NotFound
from newsletters import lists, subscriptions
from newsletters.addresses import normalise_address
from newsletters.consent import consent_text
from newsletters.subscriber_schemas import SubscribeIn
from service.client_address import peer_address
from service.controllers.subscriptions import origin_of
from service.form_stamps import issue_stamp, stamp_age
from service.page_texts import sign_up_text
from service.pages import page, wants_json
from service.ratelimit import retry_after
from service.settings import Settings
from tasks.enqueue import enqueue_confirmation_mail

MAX_NAME: Final = 200
MAX_ORGANISATION: Final = 300
# Where each field's error in the summary leads (GOV.UK: the first input of a group).
FIELD_ORDER: Final = ("email", "name", "organisation", "lists", "consent", "form")


@dataclass
class SignUpForm:
    """What the person typed, echoed back when the form is shown again."""

    email: str = ""
    name: str = ""
    organisation: str = ""
    lists: set[str] = field(default_factory=set)
    consent: bool = False


async def _public_lists(lang: str) -> list[dict[str, str]]:
    return [
        {"slug": row["slug"], "name": row[f"name_{lang}"], "description": row[f"description_{lang}"]}
        for row in await lists.public_lists()
    ]


def _not_found(request: Request[Any, Any, State], lang: str) -> Response[str]:
    if wants_json(request):  # a program asking for JSON gets the problem, as on every other route
        raise NotFound("no such sign-up page")
    return page(
        "message.html",
        lang,
        status_code=404,
        title=sign_up_text(lang, "not_found_title"),
        message=sign_up_text(lang, "not_found_list"),
        error=True,
        signup_url=f"/subscriptions/{lang}/",
        signup_text=sign_up_text(lang, "all_lists_link"),
    )


async def _form_page(
    request: Request[Any, Any, State],
    lang: str,
    list_slug: str | None,
    form: SignUpForm,
    errors: dict[str, str] | None = None,
) -> Response[str]:
    """The sign-up form (all public lists, or one), with a fresh stamp; 404 for an unknown list."""
    if lang not in LANGUAGES:
        return _not_found(request, negotiate_language(None, request.headers.get("accept-language")))
    choices = await _public_lists(lang)
    one_list = next((item for item in choices if item["slug"] == list_slug), None)
    if list_slug is not None and one_list is None:
        return _not_found(request, lang)
    settings: Settings = request.app.state.settings
    other = "en" if lang == "ka" else "ka"
    suffix = f"{list_slug}" if list_slug else ""
    title = (
        sign_up_text(lang, "signup_list_title", list=one_list["name"])
        if one_list
        else sign_up_text(lang, "signup_title")
    )
    errors = errors or {}
    first_list = choices[0] if choices else None
    anchors = {
        "email": "email",
        "name": "name",
        "organisation": "organisation",
        # One list's page has no list to tick (its list is a hidden field): lead to the address.
        "lists": f"lists-{first_list['slug']}" if first_list and not one_list else "email",
        "consent": "consent",
        "form": "email",
    }
    return page(
        "signup.html",
        lang,
        status_code=422 if errors else 200,
        title=f"{sign_up_text(lang, 'error_prefix')} {title}" if errors else title,
        heading=title,
        intro=sign_up_text(lang, "signup_one_intro" if one_list else "signup_intro"),
        choices=choices,
        one_list=one_list,
        form=form,
        errors={name: errors[name] for name in FIELD_ORDER if name in errors},
        anchors=anchors,
        stamp=issue_stamp(settings.secret_key),
        consent_text=consent_text(lang, "subscribe"),
        action=f"/subscriptions/{lang}/{suffix}",
        all_url=f"/subscriptions/{lang}/",
        other_lang=other,
        other_url=f"/subscriptions/{other}/{suffix}",
    )


async def _sign_up(request: Request[Any, Any, State], lang: str, list_slug: str | None) -> Response[str]:
    """Check the form, the stamp and the honeypot; sign up; the same answer for every address."""
    if lang not in LANGUAGES:
        return _not_found(request, negotiate_language(None, request.headers.get("accept-language")))
    settings: Settings = request.app.state.settings
    client = peer_address(request)
    wait = await retry_after(
        request.app.state.queue,
        f"scmi:ratelimit:subscribe:{client}",
        limit=settings.subscribe_limit_per_ip,
        window=settings.subscribe_limit_window,
    )
    if wait is not None:
        response = page(
            "message.html",
            lang,
            status_code=429,
            title=sign_up_text(lang, "err_rate_title"),
            message=sign_up_text(lang, "err_rate", minutes=str(max(1, -(-wait // 60)))),
            error=True,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    fields = await _form_fields(request)
    public = {item["slug"] for item in await _public_lists(lang)}
    if list_slug is not None and list_slug not in public:
        return _not_found(request, lang)
    chosen = [list_slug] if list_slug else [slug for slug in fields.get("lists", []) if slug]
    form = SignUpForm(
        email=_one(fields, "email").strip(),
        name=_one(fields, "name").strip(),
        organisation=_one(fields, "organisation").strip(),
        lists=set(chosen),
        consent=bool(_one(fields, "consent")),
    )
    if _one(fields, "website"):
        return _check_mail(lang)  # the honeypot: a bot filled the field people never see; nothing is done
    errors = _errors(lang, form, chosen, public)
    age = stamp_age(settings.secret_key, _one(fields, "stamp"))
    if not errors and (age is None or age < settings.signup_min_seconds):
        errors["form"] = sign_up_text(lang, "err_resend")  # sent too fast, or from a form not served here
    if errors:
        return await _form_page(request, lang, list_slug, form, errors)
    queue: ArqRedis = request.app.state.queue
    try:
        await subscriptions.subscribe(
            SubscribeIn(
                email=form.email,
                lists=sorted(form.lists),
                consent=True,
                lang=lang,  # checked against LANGUAGES above
                name=form.name,
                organisation=form.organisation,
            ),
            secret_key=settings.secret_key,
            origin=origin_of(request, "signup-page"),
            enqueue=functools.partial(enqueue_confirmation_mail, queue),
        )
    except Invalid as error:  # a list closed to sign-ups while the form was open
        field_name = "lists" if (error.field or "").startswith("lists") else "email"
        message = sign_up_text(lang, "err_lists" if field_name == "lists" else "err_email_invalid")
        return await _form_page(request, lang, list_slug, form, {field_name: message})
    return _check_mail(lang)


def _errors(lang: str, form: SignUpForm, chosen: list[str], public: set[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.email:
        errors["email"] = sign_up_text(lang, "err_email_missing")
    else:
        try:
            normalise_address(form.email)
        except Invalid:
            errors["email"] = sign_up_text(lang, "err_email_invalid")
    if len(form.name) > MAX_NAME:
        errors["name"] = sign_up_text(lang, "err_name_long")
    if len(form.organisation) > MAX_ORGANISATION:
        errors["organisation"] = sign_up_text(lang, "err_organisation_long")
    if not chosen or not set(chosen) <= public or len(chosen) > 50:
        errors["lists"] = sign_up_text(lang, "err_lists")
    if not form.consent:
        errors["consent"] = sign_up_text(lang, "err_consent")
    return errors


def _check_mail(lang: str) -> Response[str]:
    return page(
        "message.html",
        lang,
        title=sign_up_text(lang, "check_mail_title"),
        message=sign_up_text(lang, "check_mail_body"),
        more=[sign_up_text(lang, "check_mail_ignore")],
    )


async def _form_fields(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    """The posted form's fields (each a list of values); anything not form-encoded counts as empty."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return {}
    form = await request.form()
    return {key: [str(value) for value in form.getall(key)] for key in form}


def _one(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0][:2000]


class SignUpPagesController(Controller):
    """`/subscriptions/{lang}/` and `/subscriptions/{lang}/{list}`: sign up with no JavaScript."""

    path = "/subscriptions"
    tags = ["subscriptions"]

    @get("/{lang:str}", summary="The sign-up form for every public list")
    async def all_lists(self, request: Request[Any, Any, State], lang: FromPath[str]) -> Response[str]:
        return await _form_page(request, lang, None, _prefilled(request))

    @get("/{lang:str}/{list_slug:str}", summary="The sign-up form for one public list")
    async def one_list(
        self, request: Request[Any, Any, State], lang: FromPath[str], list_slug: FromPath[str]
    ) -> Response[str]:
        return await _form_page(request, lang, list_slug, _prefilled(request))

    @post("/{lang:str}", status_code=200, summary="Sign up from the form (form-encoded; double opt-in)")
    async def sign_up_all(self, request: Request[Any, Any, State], lang: FromPath[str]) -> Response[str]:
        return await _sign_up(request, lang, None)

    @post(
        "/{lang:str}/{list_slug:str}",
        status_code=200,
        summary="Sign up for one list from the form (form-encoded; double opt-in)",
    )
    async def sign_up_one(
        self, request: Request[Any, Any, State], lang: FromPath[str], list_slug: FromPath[str]
    ) -> Response[str]:
        return await _sign_up(request, lang, list_slug)


def _prefilled(request: Request[Any, Any, Any]) -> SignUpForm:
    """A form filled from the query (the website's small form sends `email` and `lists` by GET)."""
    return SignUpForm(
        email=request.query_params.get("email", "")[:320],
        lists={str(slug) for slug in request.query_params.getall("lists", [])},
    )
