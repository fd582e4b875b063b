"""`/sitemap.xml`: every published entry's website address, its other language and when it changed;
past 50,000 addresses a sitemap index of `/sitemaps/{n}.xml`."""

import hashlib
import re
from typing import Any, Final

from litestar import Request, Response, get
from litestar.params import FromPath

from content.sitemap import (
    MEDIA_TYPE,
    build_index,
    build_sitemap,
    child_entries,
    public_entries,
    sitemap_plan,
)
from core.db import utcnow
from core.errors import NotFound
from service.feeds.conditional import is_not_modified
from service.feeds.publisher import feed_site
from service.settings import Settings

CHILD_NAME: Final = re.compile(r"([1-9][0-9]{0,5})\.xml")


def _answer(request: Request[Any, Any, Any], body: bytes) -> Response[bytes]:
    etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if request.headers.get("if-none-match") and is_not_modified(
        request.headers.get("if-none-match"), None, (etag,), utcnow()
    ):
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


@get(
    "/sitemap.xml",
    media_type=MEDIA_TYPE,
    summary="The sitemap of every published entry, with hreflang alternates",
    description="One `urlset` up to 50,000 addresses; past that a `sitemapindex` of `/sitemaps/{n}.xml`.",
    tags=["pages"],
)
async def sitemap(request: Request[Any, Any, Any]) -> Response[bytes]:
    settings: Settings = request.app.state.settings
    children = await sitemap_plan(settings.sitemap_max_urls)
    if children is None:
        return _answer(request, build_sitemap(await public_entries(), feed_site(settings)))
    return _answer(request, build_index(children, f"{settings.public_url}/sitemaps/{{number}}.xml"))


@get(
    "/sitemaps/{name:str}",
    media_type=MEDIA_TYPE,
    summary="One child sitemap of the sitemap index (`1.xml`, `2.xml`, …)",
    tags=["pages"],
)
async def child_sitemap(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    settings: Settings = request.app.state.settings
    matched = CHILD_NAME.fullmatch(name)
    entries = await child_entries(int(matched.group(1)), settings.sitemap_max_urls) if matched else None
    if entries is None:
        raise NotFound("no such sitemap: /sitemap.xml names them")
    return _answer(request, build_sitemap(entries, feed_site(settings)))
