"""Entries of each kind: public reads, staff writes and the publishing workflow."""

from datetime import UTC, datetime
from typing import Annotated, Any, Final
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import Body, FromPath, QueryParameter

from accounts.roles import Principal
from content import entries, publishing, queries, revisions
from content.kinds import KINDS
from content.languages import Lang, negotiate_language
from content.schemas import EntryIn, EntryOut, EntryPage, EntryPatch, PublishIn, RevisionOut
from core.errors import Invalid, NotFound
from service.answers import AnswerCache, CachedAnswer
from service.auth import actor_of, requires
from service.cached_reads import CACHED_READ, Answer, Reader
from service.feeds.conditional import is_not_modified

_NEVER: Final = datetime(1970, 1, 1, tzinfo=UTC)  # If-Modified-Since is not read for these answers
Limit = Annotated[int, QueryParameter(ge=1, le=100, description="page size, 1..100")]


def _entry_id(ref: str) -> UUID:
    entry_id = queries.parse_entry_id(ref)
    if entry_id is None:
        raise NotFound(f"{ref!r} is not an entry id")
    return entry_id


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _is_staff(request: Request[Any, Any, Any]) -> bool:
    principal: Principal | None = request.user
    return principal is not None and principal.has_role("author")


def _public_answer(request: Request[Any, Any, Any], answer: CachedAnswer, vary: bool) -> Response[Any]:
    """A kept answer as it stands, or 304 when the reader has it already (If-None-Match)."""
    headers = {"ETag": answer.etag, "Cache-Control": "no-cache"}  # revalidate: content may change any time
    if vary:  # the language came from Accept-Language
        headers["Vary"] = "Accept-Language"
    if is_not_modified(request.headers.get("if-none-match"), None, (answer.etag,), datetime.now(UTC)):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=answer.body, media_type="application/json", headers=headers)


_NO_CACHE: Final = (b"cache-control", b"no-cache")
_VARY: Final = (b"vary", b"Accept-Language")
_JSON: Final = (b"content-type", b"application/json")
_PLAIN_QUERIES: Final[dict[bytes, Lang | None]] = {b"": None, b"lang=ka": "ka", b"lang=en": "en"}


def _fast_answer(headers: dict[bytes, bytes], answer: CachedAnswer, vary: bool) -> Answer:
    """What `_public_answer` sends, encoded as Litestar would encode it, for the fast path."""
    etag = answer.etag.encode("latin-1")
    encoded = [(b"etag", etag), _NO_CACHE]
    if vary:
        encoded.append(_VARY)
    if_none_match = headers.get(b"if-none-match")
    if if_none_match is not None and (
        if_none_match == etag  # the usual revalidation, first
        or is_not_modified(if_none_match.decode("latin-1"), None, (answer.etag,), _NEVER)
    ):
        return Answer(304, encoded, b"")
    encoded += [_JSON, (b"content-length", str(len(answer.body)).encode("latin-1"))]
    return Answer(200, encoded, answer.body)


def _accept_language(headers: dict[bytes, bytes]) -> str | None:
    value = headers.get(b"accept-language")
    return None if value is None else value.decode("latin-1")


def _cached_readers(kind: str) -> tuple[Reader, Reader]:
    """The fast-path readers (service/cached_reads.py) of the first page of a list and of one entry."""

    async def read_list(
        state: State, params: dict[str, Any], query: bytes, headers: dict[bytes, bytes]
    ) -> Answer | None:
        if query not in _PLAIN_QUERIES:  # anything but `lang=`: the usual path
            return None
        lang = _PLAIN_QUERIES[query]
        language = negotiate_language(lang, _accept_language(headers))
        key = ("list", kind, language, 20, None, None, None, None, None)  # as list_entries keys it
        found = await _cache_of(state).peek(key)
        return None if found is None else _fast_answer(headers, found, lang is None)

    async def read_entry(
        state: State, params: dict[str, Any], query: bytes, headers: dict[bytes, bytes]
    ) -> Answer | None:
        if query not in _PLAIN_QUERIES:
            return None
        lang = _PLAIN_QUERIES[query]
        fallback = negotiate_language(None, _accept_language(headers))
        key = ("entry", kind, params["ref"], lang, fallback)  # as get_entry keys it
        found = await _cache_of(state).peek(key)
        return None if found is None else _fast_answer(headers, found, lang is None)

    return read_list, read_entry


def _cache_of(state: State) -> AnswerCache:
    cache: AnswerCache = state.answers
    return cache


def _answers(request: Request[Any, Any, Any]) -> AnswerCache:
    cache: AnswerCache = request.app.state.answers
    return cache


def entry_controller(kind: str) -> type[Controller]:
    """The controller of one kind of entry, mounted at `/api/v1/{kind}`."""
    is_events = kind == "events"
    read_list, read_entry = _cached_readers(kind)

    class EntryController(Controller):
        path = f"/api/v1/{kind}"
        tags = [kind]

        @get(
            "/",
            summary=f"List {kind}",
            description="Published entries, newest first; staff may filter by status.",
            opt={CACHED_READ: read_list},
        )
        async def list_entries(
            self,
            request: Request[Any, Any, Any],
            lang: Annotated[
                Lang | None, QueryParameter(description="ka or en; else Accept-Language, then ka")
            ] = None,
            topic: Annotated[str | None, QueryParameter(max_length=100)] = None,
            q: Annotated[str | None, QueryParameter(max_length=200, description="full-text search")] = None,
            starts_from: Annotated[
                datetime | None, QueryParameter(name="from", description="events only")
            ] = None,
            starts_to: Annotated[
                datetime | None, QueryParameter(name="to", description="events only")
            ] = None,
            status: Annotated[str | None, QueryParameter(description="staff only")] = None,
            limit: Limit = 20,
            cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
        ) -> Response[EntryPage]:
            if not is_events and (starts_from or starts_to):
                raise Invalid("from and to filter events only", field="from" if starts_from else "to")
            language = negotiate_language(lang, request.headers.get("accept-language"))
            staff = _is_staff(request)

            async def page() -> EntryPage:
                return await queries.list_entries(
                    kind,
                    language,
                    limit=limit,
                    cursor=cursor,
                    topic=topic,
                    q=q,
                    starts_from=_aware(starts_from),
                    starts_to=_aware(starts_to),
                    status=status,
                    staff=staff,
                )

            if staff or status is not None:  # staff see more than the public: never kept
                return Response(await page())
            key = ("list", kind, language, limit, cursor, topic, q, starts_from, starts_to)
            return _public_answer(request, await _answers(request).get(key, page), lang is None)

        @get("/{ref:str}", summary=f"One of the {kind} by slug or id", opt={CACHED_READ: read_entry})
        async def get_entry(
            self,
            request: Request[Any, Any, Any],
            ref: FromPath[str],
            lang: Annotated[Lang | None, QueryParameter()] = None,
        ) -> Response[EntryOut]:
            fallback = negotiate_language(None, request.headers.get("accept-language"))
            staff = _is_staff(request)

            async def entry() -> EntryOut:
                return await queries.get_entry(kind, ref, lang, fallback, staff=staff)

            if staff:
                return Response(await entry())
            key = ("entry", kind, ref, lang, fallback)
            return _public_answer(request, await _answers(request).get(key, entry), lang is None)

        @post("/", guards=[requires("author")], summary=f"Create a draft of {kind}")
        async def create_entry(
            self, request: Request[Principal, Any, Any], data: Annotated[EntryIn, Body()]
        ) -> EntryOut:
            return await entries.create_entry(kind, data, actor_of(request.user))

        @patch("/{ref:str}", guards=[requires("author")], summary="Edit; each save is a revision")
        async def update_entry(
            self,
            request: Request[Principal, Any, Any],
            ref: FromPath[str],
            data: Annotated[EntryPatch, Body()],
        ) -> EntryOut:
            return await entries.update_entry(kind, _entry_id(ref), data, actor_of(request.user))

        @post(
            "/{ref:str}/publish", guards=[requires("editor")], status_code=200, summary="Publish or schedule"
        )
        async def publish_entry(
            self,
            request: Request[Principal, Any, Any],
            ref: FromPath[str],
            data: Annotated[PublishIn | None, Body()] = None,
        ) -> EntryOut:
            return await publishing.publish_entry(
                kind, _entry_id(ref), data or PublishIn(), actor_of(request.user)
            )

        @post("/{ref:str}/unpublish", guards=[requires("editor")], status_code=200, summary="Back to draft")
        async def unpublish_entry(
            self, request: Request[Principal, Any, Any], ref: FromPath[str]
        ) -> EntryOut:
            return await publishing.unpublish_entry(kind, _entry_id(ref), actor_of(request.user))

        @delete("/{ref:str}", guards=[requires("editor")], status_code=200, summary="Archive")
        async def archive_entry(self, request: Request[Principal, Any, Any], ref: FromPath[str]) -> EntryOut:
            return await publishing.archive_entry(kind, _entry_id(ref), actor_of(request.user))

        @get("/{ref:str}/revisions", guards=[requires("author")], summary="Who changed what, when")
        async def list_revisions(self, ref: FromPath[str]) -> list[RevisionOut]:
            return await revisions.list_revisions(kind, _entry_id(ref))

    EntryController.__name__ = f"{kind.title()}Controller"
    EntryController.__qualname__ = EntryController.__name__
    return EntryController


ENTRY_CONTROLLERS = [entry_controller(kind) for kind in KINDS]
