"""Public subscriptions: the sign-up API, and the confirm, unsubscribe and preferences pages."""

import functools
from typing import Annotated, Any
from urllib.parse import parse_qs

import msgspec
from arq.connections import ArqRedis
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import Body, FromPath

from content.languages import negotiate_language
from core.errors import Conflict, DomainError, Invalid, NotFound
from newsletters import subscriptions
from newsletters.consent import Origin
from newsletters.errors import LinkExpired
from newsletters.subscriber_schemas import Accepted, PreferencesIn, SubscribeIn, SubscriptionState
from service.client_address import peer_address
from service.page_texts import sign_up_text
from service.pages import TEXTS, page, wants_json
from service.ratelimit import rate_limited
from service.settings import Settings
from tasks.enqueue import enqueue_confirmation_mail

# Every public write is rate limited per client address (429 problem+json with Retry-After beyond).
SIGN_UP_LIMIT = rate_limited(
    "subscribe",
    lambda settings: (settings.subscribe_limit_per_ip, settings.subscribe_limit_window),
    "too many sign-ups from this address; try later",
)
TOKEN_PAGE_LIMIT = rate_limited(
    "token-pages",
    lambda settings: (settings.public_post_limit_per_ip, settings.public_post_limit_window),
    "too many requests from this address; try later",
)


def origin_of(request: Request[Any, Any, Any], source: str) -> Origin:
    """Where a consent step came from: the client's address and agent."""
    return Origin(
        source=source,
        ip=peer_address(request),
        user_agent=request.headers.get("user-agent", ""),
    )


def _page_language(request: Request[Any, Any, Any]) -> str:
    return negotiate_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def _answer(
    request: Request[Any, Any, Any], state: SubscriptionState, template: str, **context: Any
) -> Response[Any]:
    if wants_json(request):
        return Response(state, headers={"Cache-Control": "no-store"})
    return page(template, state.lang, state=state, **context)


def _error_page(request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    if wants_json(request):
        raise error
    status = _status_of(error)
    lang = _page_language(request)
    return page(
        "message.html",
        lang,
        status_code=status,
        title=_text(lang, "error_title"),
        message=_text(lang, "invalid_link")
        if isinstance(error, NotFound)
        else _text(lang, "expired_link")
        if isinstance(error, LinkExpired)
        else sign_up_text(lang, "withdrawn")
        if isinstance(error, Conflict)
        else _text(lang, "invalid_link"),
        error=True,
        signup_url=f"/subscriptions/{lang}/" if isinstance(error, LinkExpired | Conflict) else None,
    )


class SubscriptionApiController(Controller):
    """`POST /api/v1/subscriptions`: the public sign-up."""

    path = "/api/v1/subscriptions"
    tags = ["subscriptions"]

    @post(
        "/",
        status_code=202,
        guards=[SIGN_UP_LIMIT],
        summary="Sign up for lists; a confirmation mail follows (double opt-in)",
    )
    async def subscribe(
        self, request: Request[Any, Any, State], data: Annotated[SubscribeIn, Body()]
    ) -> Accepted:
        settings: Settings = request.app.state.settings
        queue: ArqRedis = request.app.state.queue
        await subscriptions.subscribe(
            data,
            secret_key=settings.secret_key,
            origin=origin_of(request, "api"),
            enqueue=functools.partial(enqueue_confirmation_mail, queue),
        )
        return Accepted()


def _message(
    request: Request[Any, Any, State], state: SubscriptionState, outcome: str, **context: Any
) -> Response[Any]:
    """The page (or JSON) that reports an outcome, with the way to the preferences."""
    return _answer(
        request,
        state,
        "message.html",
        title=_text(state.lang, f"{outcome}_title"),
        message=_text(state.lang, f"{outcome}_body"),
        preferences_url=f"/subscriptions/preferences/{state.token}",
        **context,
    )


async def _token_page(request: Request[Any, Any, State], token: str, page: str) -> Response[Any]:
    """A page reached by a mailed link (`unsubscribe` or `preferences`); a GET changes nothing."""
    try:
        state = await subscriptions.state_by_token(token)
    except DomainError as error:
        return _error_page(request, error)
    return _answer(request, state, f"{page}.html", title=_text(state.lang, f"{page}_title"))


async def _campaign_lists(request: Request[Any, Any, Any]) -> list[str] | None:
    """The lists of the campaign the unsubscribe link names (`?campaign=slug`); None: every list."""
    return await subscriptions.campaign_lists(request.query_params.get("campaign", ""))


def _left_page(request: Request[Any, Any, State], state: SubscriptionState, left: list[str]) -> Response[Any]:
    """After leaving: unsubscribed (on no list), or which lists were left and which remain."""
    signup = {"signup_url": f"/subscriptions/{state.lang}/"}
    if state.status == "unsubscribed":
        return _message(request, state, "unsubscribed", **signup)
    names = {item.slug: item.name for item in state.lists}
    left_names = [names[slug] for slug in left if slug in names]
    still = [item.name for item in state.lists if item.subscribed]
    more = [sign_up_text(state.lang, "still_on", lists=", ".join(still))] if still else []
    return _answer(
        request,
        state,
        "message.html",
        title=sign_up_text(state.lang, "left_title"),
        message=sign_up_text(state.lang, "left_body", lists=", ".join(left_names))
        if left_names
        else sign_up_text(state.lang, "left_none"),
        more=more,
        preferences_url=f"/subscriptions/preferences/{state.token}",
        **signup,
    )


class SubscriptionPagesController(Controller):
    """`/subscriptions/...`: the pages behind the links in mail (HTML, or JSON on request)."""

    path = "/subscriptions"
    tags = ["subscriptions"]

    @get(
        "/confirm/{token:str}",
        summary="The confirmation page of the mailed link: one button; a GET changes nothing",
    )
    async def confirm_page(self, request: Request[Any, Any, State], token: FromPath[str]) -> Response[Any]:
        settings: Settings = request.app.state.settings
        try:
            state = await subscriptions.awaiting_confirmation(token, secret_key=settings.secret_key)
        except DomainError as error:
            return _error_page(request, error)
        return _answer(
            request,
            state,
            "confirm.html",
            title=sign_up_text(state.lang, "confirm_title"),
            pending=[item for item in state.lists if item.pending],
        )

    @post(
        "/confirm/{token:str}",
        status_code=200,
        guards=[TOKEN_PAGE_LIMIT],
        summary="Confirm a sign-up (the confirmation page's button); the consent record is this request's",
    )
    async def confirm(self, request: Request[Any, Any, State], token: FromPath[str]) -> Response[Any]:
        settings: Settings = request.app.state.settings
        try:
            state = await subscriptions.confirm(
                token, secret_key=settings.secret_key, origin=origin_of(request, "confirm-page")
            )
        except DomainError as error:
            return _error_page(request, error)
        return _message(request, state, "confirmed")

    @get(
        "/unsubscribe/{token:str}",
        summary="The unsubscribe page: leave the campaign's lists (`?campaign=`) or every list; "
        "a GET changes nothing",
    )
    async def unsubscribe_page(
        self, request: Request[Any, Any, State], token: FromPath[str]
    ) -> Response[Any]:
        try:
            state = await subscriptions.state_by_token(token)
        except DomainError as error:
            return _error_page(request, error)
        only = await _campaign_lists(request)
        on_campaign = [item for item in state.lists if item.subscribed and item.slug in (only or [])]
        return _answer(
            request,
            state,
            "unsubscribe.html",
            title=_text(state.lang, "unsubscribe_title"),
            campaign_lists=on_campaign,
        )

    @post(
        "/unsubscribe/{token:str}",
        status_code=200,
        guards=[TOKEN_PAGE_LIMIT],
        summary="Leave the campaign's lists (`?campaign=`), or every list with `scope=all` or without a "
        "campaign; also RFC 8058 one-click (body `List-Unsubscribe=One-Click`)",
    )
    async def unsubscribe(self, request: Request[Any, Any, State], token: FromPath[str]) -> Response[Any]:
        body = (await request.body())[:1000]
        one_click = b"List-Unsubscribe=One-Click" in body
        scope = parse_qs(body.decode("utf-8", "replace")).get("scope", [""])[0]
        only = None if scope == "all" else await _campaign_lists(request)
        try:
            state, left = await subscriptions.unsubscribe(
                token,
                origin=origin_of(request, "one-click" if one_click else "unsubscribe-page"),
                only=only,
            )
        except DomainError as error:
            return _error_page(request, error)
        return _left_page(request, state, left)

    @get("/preferences/{token:str}", summary="The preferences page: lists and language")
    async def preferences_page(
        self, request: Request[Any, Any, State], token: FromPath[str]
    ) -> Response[Any]:
        return await _token_page(request, token, "preferences")

    @post(
        "/preferences/{token:str}",
        status_code=200,
        guards=[TOKEN_PAGE_LIMIT],
        summary="Change lists and language (form or JSON)",
    )
    async def change_preferences(
        self, request: Request[Any, Any, State], token: FromPath[str]
    ) -> Response[Any]:
        try:
            data = await _preferences_from(request)
            state = await subscriptions.change_preferences(
                token, data, origin=origin_of(request, "preferences-page")
            )
        except DomainError as error:
            if wants_json(request) or isinstance(error, NotFound):
                return _error_page(request, error)
            state = await subscriptions.state_by_token(token)
            return page(
                "preferences.html",
                state.lang,
                status_code=_status_of(error),
                state=state,
                title=_text(state.lang, "preferences_title"),
                error=_text(state.lang, "inactive")
                if isinstance(error, Conflict)
                else sign_up_text(state.lang, "err_resend"),
            )
        return _answer(
            request, state, "preferences.html", title=_text(state.lang, "preferences_title"), saved=True
        )


def _status_of(error: DomainError) -> int:
    return 404 if isinstance(error, NotFound) else 422 if isinstance(error, Invalid) else 409


def _text(lang: str, key: str) -> str:
    return TEXTS.get(lang, TEXTS["ka"])[key]


async def _preferences_from(request: Request[Any, Any, Any]) -> PreferencesIn:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            return msgspec.json.decode(await request.body(), type=PreferencesIn)
        except msgspec.ValidationError as error:
            raise Invalid(str(error), field="body") from error
        except msgspec.DecodeError as error:
            raise Invalid("the body is not valid JSON", field="body") from error
    form = await request.form()
    lang = form.get("lang")
    if lang not in {"ka", "en"}:
        raise Invalid("choose a language: ka or en", field="lang")
    return PreferencesIn(
        lang=lang, lists=[str(slug) for slug in form.getall("lists")] if "lists" in form else []
    )
