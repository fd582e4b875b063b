"""The public newsletter archive: `/newsletters/{lang}/` and `/newsletters/{lang}/{slug}`."""

from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.params import FromPath

from content.languages import LANGUAGES
from core.errors import NotFound
from newsletters import public_archive
from service.page_problems import PAGE_EXCEPTION_HANDLERS
from service.pages import wants_json
from service.public_page import PAGE_POLICY, public_page
from service.settings import Settings

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "public, max-age=300",
}
# A sent newsletter as mailed: MJML's inline styles and remote images, never a script or a form;
# it is shown framed in the archive's own page, so only this site may frame it.
NEWSLETTER_PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
# The archive page's own policy, which may frame the mail from this site (and nothing else).
FRAMING_POLICY = PAGE_POLICY.replace("default-src 'none';", "default-src 'none'; frame-src 'self';")
TITLES = {"ka": "ბიულეტენების არქივი", "en": "Newsletter archive"}


def _public_url(request: Request[Any, Any, Any], lang: str) -> str:
    """The service's address, once the path's language is known to be one of ours."""
    if lang not in LANGUAGES:
        raise NotFound("no such archive")
    settings: Settings = request.app.state.settings
    return settings.public_url


class ArchiveController(Controller):
    """Sent newsletters for everyone, as pages or JSON (no personal data)."""

    path = "/newsletters"
    tags = ["newsletters"]
    exception_handlers = PAGE_EXCEPTION_HANDLERS

    @get(
        "/{lang:str}",
        media_type=MediaType.HTML,
        summary="Sent newsletters in a language, newest first",
        description="An HTML page; `Accept: application/json` gets the list as JSON (slug, subject, "
        "intro, url, sent_at, entries).",
    )
    async def archive_index(self, request: Request[Any, Any, Any], lang: FromPath[str]) -> Response[Any]:
        if lang not in LANGUAGES:
            raise NotFound("no such archive")
        settings: Settings = request.app.state.settings
        items = await public_archive.archived(lang, settings.public_url)
        if wants_json(request):
            return Response(items, headers=HEADERS, media_type=MediaType.JSON)
        feed = f"{settings.public_url}/feeds/{lang}/newsletters.rss"
        return public_page(
            "archive.html", lang, headers={"Cache-Control": HEADERS["Cache-Control"]},
            title=TITLES[lang], items=items, feed=feed,
        )  # fmt: skip

    @get(
        "/{lang:str}/{slug:str}",
        media_type=MediaType.HTML,
        summary="One sent newsletter in the archive's page, the mail framed",
    )
    async def archive_page(
        self, request: Request[Any, Any, Any], lang: FromPath[str], slug: FromPath[str]
    ) -> Response[str]:
        newsletter = await public_archive.archived_newsletter(lang, slug, _public_url(request, lang))
        return public_page(
            "newsletter.html", lang,
            headers={"Cache-Control": HEADERS["Cache-Control"], "Content-Security-Policy": FRAMING_POLICY},
            title=newsletter.subject, newsletter=newsletter, wide=True,
            mail=f"/newsletters/{lang}/{slug}/mail",
        )  # fmt: skip

    @get(
        "/{lang:str}/{slug:str}/mail",
        media_type=MediaType.HTML,
        summary="One sent newsletter as it was mailed, without personal parts",
    )
    async def archive_mail(
        self, request: Request[Any, Any, Any], lang: FromPath[str], slug: FromPath[str]
    ) -> Response[str]:
        page = await public_archive.archived_html(lang, slug, _public_url(request, lang))
        return Response(
            page,
            media_type=MediaType.HTML,
            headers={**HEADERS, "Content-Security-Policy": NEWSLETTER_PAGE_POLICY},
        )
