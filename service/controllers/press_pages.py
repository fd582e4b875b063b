"""`/press/{token}`: a journalist's personal link to an embargoed entry, shown with its embargo."""

from typing import Annotated, Any, Final

from litestar import MediaType, Request, Response, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from content.languages import LANGUAGES
from content.shaping import build_entries
from core.errors import NotFound
from newsletters.press.links import Embargoed, Withdrawn, open_press_link
from newsletters.press.wording import embargo_line
from service.entry_page import entry_context
from service.feeds.publisher import feed_site
from service.page_problems import page_language
from service.pages import wants_json
from service.public_page import public_page
from service.reading_texts import texts
from service.settings import Settings

# Personal: no cache keeps it, no search engine lists it, and the token leaves in no Referer.
PRESS_HEADERS: Final = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _refusal(request: Request[Any, Any, Any], lang: str, status_code: int) -> Response[str]:
    if wants_json(request):  # a client asking for JSON gets the API's problem+json
        raise HTTPException(status_code=status_code, detail="no press link at this address")
    t = texts(lang)
    if status_code == 410:
        title, message = t["press_withdrawn_title"], t["press_withdrawn_body"]
    else:
        title, message = t["not_found_title"], t["not_found_body"]
    return public_page(
        "problem.html", lang, status_code=status_code, headers=PRESS_HEADERS, title=title, message=message,
        noindex=True,
    )  # fmt: skip


@get(
    "/press/{token:str}",
    media_type=MediaType.HTML,
    summary="A journalist's personal link to an embargoed entry",
    description="The entry with its embargo (Tbilisi time and UTC) while it lasts; each opening is "
    "recorded and nothing else changes. After the lift: 302 to the public version. A revoked link "
    "is 410, an unknown one 404. `no-store`, `noindex`.",
    tags=["pages"],
)
async def press_page(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    lang: Annotated[str | None, QueryParameter(description="ka or en", max_length=2)] = None,
) -> Response[Any]:
    settings: Settings = request.app.state.settings
    try:
        found = await open_press_link(token)
    except Withdrawn as withdrawn:
        return _refusal(request, lang if lang in LANGUAGES else withdrawn.lang, 410)
    except NotFound:
        return _refusal(request, page_language(request), 404)
    site = feed_site(settings)
    if not isinstance(found, Embargoed):
        public = site.entry_url(found.kind, found.lang, found.slug, found.entry_id)
        return Redirect(public, status_code=302, headers=PRESS_HEADERS)
    shown_lang = lang if lang in LANGUAGES else found.lang
    shaped = await build_entries([found.entry], shown_lang, staff=False)
    if not shaped:
        return _refusal(request, shown_lang, 404)
    entry = shaped[0]
    context = entry_context(entry, site, settings.public_url)
    return public_page(
        "press.html",
        entry.lang,
        headers=PRESS_HEADERS,
        noindex=True,
        embargo=embargo_line(found.until, entry.lang),
        **{
            name: context[name]
            for name in ("entry", "title", "kind_name", "others", "body", "event", "deadline")
        },
    )
