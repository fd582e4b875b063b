"""The media library over HTTP: streaming uploads, assets and their metadata, and their files."""

import functools
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Stream

from accounts.roles import Principal
from content.media import access, library
from content.media.access import ServedFile
from content.media.intake import Intake
from content.media.schemas import AssetOut, AssetPage, AssetPatch
from content.media.storage import MediaStorage
from service.auth import requires
from service.cached_reads import CACHED_READ, Answer, as_response
from service.files import send_file
from service.media_answers import KeptFile, MediaFiles, file_answer, keepable, kept_file, request_conditions
from service.settings import Settings
from service.uploads import receive_file
from tasks.enqueue import enqueue_renditions


def _is_staff(request: Request[Any, Any, Any]) -> bool:
    principal: Principal | None = request.user
    return principal is not None and principal.has_role("author")


def _storage(request: Request[Any, Any, Any]) -> MediaStorage:
    storage: MediaStorage = request.app.state.media_storage
    return storage


def _files(state: State) -> MediaFiles:
    files: MediaFiles = state.media_files
    return files


async def _read_kept(
    state: State, params: dict[str, Any], query: bytes, headers: dict[bytes, bytes]
) -> Answer | None:
    """A public file or rendition this process holds, on the fast path (service/cached_reads.py)."""
    if query:
        return None
    kept = await _files(state).peek((UUID(str(params["asset_id"])), params.get("name")))
    return None if kept is None else file_answer(kept, *request_conditions(headers))


async def _serve(
    request: Request[Any, Any, Any], asset_id: UUID, rendition: str | None
) -> Response[Any] | Stream:
    """A file from memory when the public may see it (kept on first read), else streamed from storage."""
    storage = _storage(request)
    if _is_staff(request):
        return await send_file(request, storage, await access.served_file(asset_id, rendition, staff=True))
    looked_up: list[ServedFile] = []

    async def load() -> KeptFile | None:
        served = await access.served_file(asset_id, rendition, staff=False)
        looked_up.append(served)
        size = await storage.size(served.key)
        if size is None or not keepable(served, size):
            return None
        found = await storage.read(served.key)
        return kept_file(served, b"".join([chunk async for chunk in found.chunks]))

    kept = await _files(request.app.state).get((asset_id, rendition), load)
    if kept is not None:
        got = request.headers.get
        answer = file_answer(kept, got("if-none-match"), got("range"), got("if-range"))
        if answer is not None:
            return as_response(answer)
    served = looked_up[0] if looked_up else await access.served_file(asset_id, rendition, staff=False)
    return await send_file(request, storage, served)


class MediaController(Controller):
    """`/api/v1/media`: upload (author+), read (anyone, if a published entry uses it), edit (author+)."""

    path = "/api/v1/media"
    tags = ["media"]

    @post(
        "/",
        guards=[requires("author")],
        # The upload enforces its own limit (MEDIA_MAX_UPLOAD) while it streams.
        request_max_body_size=None,
        summary="Upload a file (multipart, field `file`)",
        description="201 with a new asset, 200 with the existing one when the same bytes were uploaded "
        "before. 413 over the size limit, 415 for a type the library does not take (decided by the "
        "bytes), 422 for an image with too many pixels.",
    )
    async def upload(self, request: Request[Principal, Any, Any]) -> Response[AssetOut]:
        settings: Settings = request.app.state.settings
        limits = settings.media_limits
        with Intake(limits.scratch_dir, limits.max_upload) as intake:
            filename = await receive_file(request, intake, limits.max_upload)
            sha256 = intake.finish()
            asset, created = await library.add_upload(
                intake.path,
                sha256,
                intake.size,
                filename,
                request.user.id,
                _storage(request),
                limits,
                functools.partial(enqueue_renditions, request.app.state.queue),
            )
        return Response(asset, status_code=201 if created else 200)

    @get("/", summary="The media library, newest first (the public sees what published entries use)")
    async def list_assets(
        self,
        request: Request[Any, Any, Any],
        family: Annotated[
            Literal["image", "document", "video", "audio"] | None, QueryParameter(description="kind of file")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100, description="page size, 1..100")] = 20,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> AssetPage:
        return await access.list_assets(staff=_is_staff(request), limit=limit, cursor=cursor, family=family)

    @get("/{asset_id:uuid}", summary="One asset with its press metadata and renditions")
    async def get_asset(self, request: Request[Any, Any, Any], asset_id: FromPath[UUID]) -> AssetOut:
        return await access.get_asset(asset_id, staff=_is_staff(request))

    @patch("/{asset_id:uuid}", guards=[requires("author")], summary="Edit caption, alt, credit, licence")
    async def update_asset(self, asset_id: FromPath[UUID], data: Annotated[AssetPatch, Body()]) -> AssetOut:
        return await library.update_asset(asset_id, data)

    @get(
        "/{asset_id:uuid}/file",
        summary="The file (images without EXIF); Range requests supported",
        opt={CACHED_READ: _read_kept},
    )
    async def get_file(
        self, request: Request[Any, Any, Any], asset_id: FromPath[UUID]
    ) -> Response[Any] | Stream:
        return await _serve(request, asset_id, None)

    @get(
        "/{asset_id:uuid}/renditions/{name:str}",
        summary="One rendition of an image, e.g. 960.webp",
        opt={CACHED_READ: _read_kept},
    )
    async def get_rendition(
        self, request: Request[Any, Any, Any], asset_id: FromPath[UUID], name: FromPath[str]
    ) -> Response[Any] | Stream:
        return await _serve(request, asset_id, name)
