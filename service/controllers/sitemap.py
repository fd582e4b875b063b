"""`/sitemap.xml`: every published entry's website address, its other language and when it changed."""

import hashlib
from typing import Any

from litestar import Request, Response, get

from content.sitemap import MEDIA_TYPE, build_sitemap, public_entries
from core.db import utcnow
from service.feeds.conditional import is_not_modified
from service.feeds.publisher import feed_site
from service.settings import Settings


@get(
    "/sitemap.xml",
    media_type=MEDIA_TYPE,
    summary="The sitemap of every published entry, with hreflang alternates",
    tags=["pages"],
)
async def sitemap(request: Request[Any, Any, Any]) -> Response[bytes]:
    settings: Settings = request.app.state.settings
    entries = await public_entries()
    body = build_sitemap(entries, feed_site(settings))
    etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if request.headers.get("if-none-match") and is_not_modified(
        request.headers.get("if-none-match"), None, (etag,), utcnow()
    ):
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPE, headers=headers)
