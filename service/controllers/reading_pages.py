"""The reading pages `/{lang}/{kind}/{slug}`: a published entry as a page, old slugs redirected."""

from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.params import FromPath
from litestar.response import Redirect

from content.kinds import KINDS
from content.languages import LANGUAGES
from content.reading import Moved, entry_for_page
from core.errors import NotFound
from service.entry_page import entry_context, page_path
from service.feeds.publisher import feed_site
from service.page_problems import PAGE_EXCEPTION_HANDLERS
from service.public_page import public_page
from service.settings import Settings


class ReadingPagesController(Controller):
    """One entry in one language for readers (only lang `ka`|`en` and the four kinds are pages)."""

    path = "/"
    tags = ["pages"]
    exception_handlers = PAGE_EXCEPTION_HANDLERS

    @get(
        "/{lang:str}/{kind:str}/{slug:str}",
        media_type=MediaType.HTML,
        summary="The reading page of a published entry",
        description="HTML in the path's language. A former slug, the other language's slug or the id "
        "answers 301 to the current address; with WEBSITE_URL set, 301 to the entry's page there. "
        "Drafts, scheduled, embargoed and archived entries are 404.",
    )
    async def entry_page(
        self, request: Request[Any, Any, Any], lang: FromPath[str], kind: FromPath[str], slug: FromPath[str]
    ) -> Response[Any]:
        if lang not in LANGUAGES or kind not in KINDS:
            raise NotFound("no such page")
        settings: Settings = request.app.state.settings
        found = await entry_for_page(kind, lang, slug)
        if isinstance(found, Moved):
            return Redirect(page_path(found.lang, kind, found.slug), status_code=301)
        site = feed_site(settings)
        context = entry_context(found, site, settings.public_url)
        here = f"{settings.public_url}{page_path(lang, kind, found.slug)}"
        if settings.website_url and context["canonical"] != here:
            return Redirect(context["canonical"], status_code=301)
        return public_page("entry.html", lang, **context)
