"""The console's media library: the grid of assets, uploading several files, one asset's metadata."""

import functools
import hashlib
from importlib.resources import files
from typing import Any, Final
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Stream

from content.languages import LANGUAGES
from content.media import access, library
from content.media.schemas import AssetOut, AssetPatch
from content.media.sniff import ACCEPTED, ACCEPTED_LABELS
from content.media.storage import MediaStorage
from content.media.usage import asset_usage
from core.errors import Invalid, NotFound, TooLarge
from service.console.media_upload import MAX_FILES, NotAnUpload, Outcome, receive_uploads
from service.console.rendering import CONTENT_SECURITY_POLICY, console_page
from service.console.session import form_token, settings_of, signed_in
from service.console.texts import TEXTS
from service.files import send_file

AnyRequest = Request[Any, Any, Any]

FAMILIES: Final = ("image", "document", "audio", "video")
PAGE_SIZE: Final = 24
UPLOAD_SCRIPT: Final = files("service.console").joinpath("static/media-upload.js").read_bytes()
# Like the stylesheet: the hash in the address, so the file is cached for good and a change is a new address.
UPLOAD_SCRIPT_PATH: Final = (
    f"/console/static/media-upload.{hashlib.sha256(UPLOAD_SCRIPT).hexdigest()[:12]}.js"
)
# The library's pages also play video and audio previews and run the upload script (ours, same origin).
MEDIA_POLICY: Final = CONTENT_SECURITY_POLICY.replace(
    "default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self'; media-src 'self';"
)
TEXT_LIMITS: Final = {"caption": 2_000, "alt": 2_000, "credit": 300}
LICENCE_LIMIT: Final = 100


def _page(template: str, lang: str, **context: Any) -> Response[str]:
    response = console_page(template, lang, **context)
    response.headers = {**response.headers, "Content-Security-Policy": MEDIA_POLICY}
    return response


def _storage(request: AnyRequest) -> MediaStorage:
    storage: MediaStorage = request.app.state.media_storage
    return storage


def console_file_url(asset: AssetOut) -> str:
    """Where the console shows an asset's file (the API's address needs a bearer token, not a session)."""
    return f"/console/media/{asset.id}/file"


def thumbnail_url(asset: AssetOut) -> str | None:
    """The smallest rendition of an image; its own file until the worker has made them; None otherwise."""
    if asset.family != "image":
        return None
    renditions = asset.renditions or []
    if not renditions:
        return console_file_url(asset)
    smallest = min(renditions, key=lambda item: (item.width, item.size))
    return f"/console/media/{asset.id}/renditions/{smallest.name}"


def preview_url(asset: AssetOut) -> str:
    """A picture about 960 pixels wide for the asset page, or the file itself."""
    renditions = [item for item in asset.renditions or [] if item.width <= 960]
    if asset.family != "image" or not renditions:
        return console_file_url(asset)
    largest = max(renditions, key=lambda item: (item.width, -item.size))
    return f"/console/media/{asset.id}/renditions/{largest.name}"


def type_label(asset: AssetOut) -> str:
    """The file's type as people know it (PDF, Word (DOCX), MP4), from the type its bytes were found to be."""
    known = ACCEPTED.get(asset.mime)
    return known.label if known is not None else asset.mime


def readable_size(size: int, lang: str) -> str:
    """A byte count as people read it, in the page's language."""
    texts = TEXTS[lang]
    if size < 1024:
        return texts["media_bytes"].format(size=size)
    if size < 1024 * 1024:
        return texts["media_kb"].format(size=f"{size / 1024:.0f}")
    return texts["media_mb"].format(size=f"{size / (1024 * 1024):.1f}")


def _refusal(outcome: Outcome, lang: str, max_mb: int) -> str:
    texts = TEXTS[lang]
    name = outcome.filename or texts["media_unnamed"]
    return texts[f"media_refused_{outcome.reason or 'type'}"].format(
        name=name, mb=max_mb, count=MAX_FILES, types=ACCEPTED_LABELS
    )


def _alt(asset: AssetOut, lang: str) -> str:
    return asset.alt.get(lang, "")


def _missing(request: AnyRequest, user: Any) -> Response[str]:
    # The router's own 404 page cannot know who asks; this one speaks the staff member's language.
    texts = TEXTS[user.interface_lang]
    return console_page(
        "message.html",
        user.interface_lang,
        status_code=404,
        user=user,
        csrf_token=form_token(request),
        title=texts["not_found_title"],
        body=texts["not_found_body"],
        link={"href": "/console/media/", "text": texts["media_back"]},
    )


class MediaLibraryController(Controller):
    """`/console/media`: the grid, uploads, and each asset's page (author+, as the API)."""

    path = "/console"
    include_in_schema = False

    async def _library(
        self,
        request: AnyRequest,
        lang: str,
        user: Any,
        *,
        status_code: int = 200,
        errors: list[tuple[str, str]] | None = None,
        stored: list[AssetOut] | None = None,
    ) -> Response[str]:
        family = request.query_params.get("type")
        family = family if family in FAMILIES else None
        cursor = request.query_params.get("cursor") or None
        try:
            page = await access.list_assets(staff=True, limit=PAGE_SIZE, cursor=cursor, family=family)
        except Invalid:  # a cursor this server did not give out: start from the newest
            cursor = None
            page = await access.list_assets(staff=True, limit=PAGE_SIZE, family=family)
        texts = TEXTS[lang]
        notice = ""
        if stored:
            notice = texts["media_uploaded"].format(count=len(stored))
        elif request.query_params.get("uploaded", "").isdigit():
            notice = texts["media_uploaded"].format(count=int(request.query_params["uploaded"]))
        choices = [(None, texts["media_all"])] + [(name, texts[f"media_family_{name}"]) for name in FAMILIES]
        filter_links = [
            {
                "href": "/console/media/" + (f"?type={name}" if name else ""),
                "text": text,
                "current": name == family,
            }
            for name, text in choices
        ]
        older = None
        if page.next_cursor:
            older = "/console/media/?" + urlencode({"type": family or "", "cursor": page.next_cursor})
        newest = ("/console/media/" + (f"?type={family}" if family else "")) if cursor else None
        max_mb = settings_of(request).media_limits.max_upload // (1024 * 1024)
        return _page(
            "media_library.html",
            lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            errors=errors or [],
            notice=notice,
            stored=stored or [],
            assets=[
                {
                    "asset": asset,
                    "thumbnail": thumbnail_url(asset),
                    "alt": _alt(asset, lang),
                    "label": type_label(asset),
                }
                for asset in page.items
            ],
            filter_links=filter_links,
            older=older,
            newest=newest,
            script=UPLOAD_SCRIPT_PATH,
            files_hint=texts["media_files_hint"].format(count=MAX_FILES, mb=max_mb, types=ACCEPTED_LABELS),
            size=functools.partial(readable_size, lang=lang),
        )

    @get("/media")
    async def library_page(self, request: AnyRequest) -> Response[str]:
        user = await signed_in(request)
        return await self._library(request, user.interface_lang, user)

    @post(
        "/media",
        # The files stream straight to scratch files; the handler checks the form's token itself, first.
        opt={"exclude_from_csrf": True},
        request_max_body_size=None,
    )
    async def upload(self, request: AnyRequest) -> Response[Any]:
        user = await signed_in(request)  # before a byte of the body is read
        lang = user.interface_lang
        texts = TEXTS[lang]
        max_mb = settings_of(request).media_limits.max_upload // (1024 * 1024)
        wants_json = "application/json" in request.headers.get("accept", "")
        try:
            outcomes = await receive_uploads(request, user.principal.id)
        except TooLarge:
            return await self._library(
                request, lang, user, status_code=413, errors=[("file", texts["media_form_too_large"])]
            )
        except NotAnUpload:
            outcomes = []
        stored = [outcome.asset for outcome in outcomes if outcome.asset is not None]
        refused = [outcome for outcome in outcomes if outcome.asset is None]
        if wants_json:
            return Response(
                {
                    "files": [
                        {
                            "filename": outcome.filename,
                            "stored": outcome.asset is not None,
                            "message": texts["media_stored_one"].format(name=outcome.filename)
                            if outcome.asset is not None
                            else _refusal(outcome, lang, max_mb),
                            "url": f"/console/media/{outcome.asset.id}" if outcome.asset else None,
                        }
                        for outcome in outcomes
                    ]
                },
                status_code=422 if refused or not outcomes else 200,
                headers={"Cache-Control": "no-store"},
            )
        if not outcomes:
            return await self._library(
                request, lang, user, status_code=422, errors=[("file", texts["media_choose"])]
            )
        if refused:
            errors = [("file", _refusal(outcome, lang, max_mb)) for outcome in refused]
            return await self._library(request, lang, user, status_code=422, errors=errors, stored=stored)
        return Redirect(f"/console/media/?uploaded={len(stored)}", status_code=303)

    async def _asset_page(
        self,
        request: AnyRequest,
        asset_id: UUID,
        user: Any,
        *,
        status_code: int = 200,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        notice: str = "",
    ) -> Response[str]:
        lang = user.interface_lang
        try:
            asset = await access.get_asset(asset_id, staff=True)
        except NotFound:
            return _missing(request, user)
        if values is None:
            values = {"licence": asset.licence}
            for name in TEXT_LIMITS:
                for language in LANGUAGES:
                    values[f"{language}.{name}"] = getattr(asset, name).get(language, "")
        uses = await asset_usage(asset_id)
        return _page(
            "media_asset.html",
            lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            asset=asset,
            preview=preview_url(asset),
            file_url=console_file_url(asset),
            alt=_alt(asset, lang),
            values=values,
            errors=errors or {},
            notice=notice,
            uses=uses,
            languages=LANGUAGES,
            size=functools.partial(readable_size, lang=lang),
        )

    @get("/media/{asset_id:uuid}")
    async def asset_page(self, request: AnyRequest, asset_id: FromPath[UUID]) -> Response[str]:
        user = await signed_in(request)
        notice = TEXTS[user.interface_lang]["media_saved"] if request.query_params.get("saved") else ""
        return await self._asset_page(request, asset_id, user, notice=notice)

    @post("/media/{asset_id:uuid}")
    async def save_asset(self, request: AnyRequest, asset_id: FromPath[UUID]) -> Response[Any]:
        user = await signed_in(request)
        texts = TEXTS[user.interface_lang]
        form = await request.form()
        values = {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}
        errors: dict[str, str] = {}
        for name, limit in TEXT_LIMITS.items():
            for language in LANGUAGES:
                field = f"{language}.{name}"
                if len(values.get(field, "")) > limit:
                    errors[field] = texts["media_too_long"].format(
                        label=texts[f"media_{name}"], lang=language, count=limit
                    )
        if len(values.get("licence", "")) > LICENCE_LIMIT:
            errors["licence"] = texts["media_licence_too_long"].format(count=LICENCE_LIMIT)
        if errors:
            return await self._asset_page(
                request, asset_id, user, status_code=422, values=values, errors=errors
            )
        patch = AssetPatch(
            caption={language: values.get(f"{language}.caption", "") for language in LANGUAGES},
            alt={language: values.get(f"{language}.alt", "") for language in LANGUAGES},
            credit={language: values.get(f"{language}.credit", "") for language in LANGUAGES},
            licence=values.get("licence", ""),
        )
        try:
            await library.update_asset(asset_id, patch)
        except NotFound:
            return _missing(request, user)
        return Redirect(f"/console/media/{asset_id}?saved=1", status_code=303)

    @get("/media/{asset_id:uuid}/file")
    async def asset_file(self, request: AnyRequest, asset_id: FromPath[UUID]) -> Response[Any] | Stream:
        await signed_in(request)
        try:
            served = await access.served_file(asset_id, None, staff=True)
        except NotFound:
            raise NotFoundException from None
        return await send_file(request, _storage(request), served)

    @get("/media/{asset_id:uuid}/renditions/{name:str}")
    async def asset_rendition(
        self, request: AnyRequest, asset_id: FromPath[UUID], name: FromPath[str]
    ) -> Response[Any] | Stream:
        await signed_in(request)
        try:
            served = await access.served_file(asset_id, name, staff=True)
        except NotFound:
            raise NotFoundException from None
        return await send_file(request, _storage(request), served)

    @get(UPLOAD_SCRIPT_PATH.removeprefix("/console"))
    async def upload_script(self) -> Response[bytes]:
        return Response(
            UPLOAD_SCRIPT,
            media_type="text/javascript",
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )
