"""Entries of each kind: public reads, staff writes and the publishing workflow."""

import re
import urllib.parse
from datetime import UTC, datetime
from typing import Annotated, Any, Final
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.params import Body, FromPath, QueryParameter

from accounts.roles import Principal
from content import entries, publishing, queries, revisions
from content.kinds import KINDS
from content.languages import Lang, negotiate_language
from content.schemas import (
    CommentIn,
    CommentOut,
    EntryIn,
    EntryOut,
    EntryPage,
    EntryPatch,
    NoteIn,
    PublishIn,
    RevisionDetail,
    RevisionOut,
)
from content.workflow import comments, mark_current, request_changes, restore, submit
from core.errors import Invalid, NotFound, StaleRevision
from service.answers import AnswerCache, public_answer
from service.auth import actor_of, requires
from service.cached_reads import CACHED_READ, Answer, Reader, as_response
from tasks.enqueue import enqueue_review_mail
from tasks.review_mail import CHANGES_REQUESTED, SUBMITTED

DEFAULT_LIMIT: Final = 20
Limit = Annotated[int, QueryParameter(ge=1, le=100, description="page size, 1..100")]


def _entry_id(ref: str) -> UUID:
    entry_id = queries.parse_entry_id(ref)
    if entry_id is None:
        raise NotFound(f"{ref!r} is not an entry id")
    return entry_id


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def revision_etag(revision: int) -> str:
    """The entity tag of an entry as staff read it: its revision number."""
    return f'"r{revision}"'


def expected_revision(if_match: str | None) -> int | None:
    """The revision an `If-Match` header names (None: no header, or `*`); -1 when it names none."""
    if if_match is None or if_match.strip() == "*":
        return None
    for tag in if_match.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag.startswith("r") and tag[1:].isdigit():
            return int(tag[1:])
    return -1  # no revision can match: the precondition fails


def _is_staff(request: Request[Any, Any, Any]) -> bool:
    principal: Principal | None = request.user
    return principal is not None and principal.has_role("author")


def list_key(
    kind: str,
    language: Lang,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    topic: str | None = None,
    q: str | None = None,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
) -> tuple[Any, ...]:
    """Where a public page of a list is kept (the defaults: the first page, as the fast path reads it)."""
    return ("list", kind, language, limit, cursor, topic, q, starts_from, starts_to)


def entry_key(kind: str, ref: str, lang: Lang | None, fallback: Lang) -> tuple[Any, ...]:
    """Where a public entry by slug or id is kept.

    The Accept-Language fallback chooses the language only of an entry named by id without `?lang=`
    (a slug names its own language, `?lang=` wins over both), so elsewhere it is left out of the key:
    readers with other Accept-Language headers share one answer instead of building one each.
    """
    uses_fallback = lang is None and queries.parse_entry_id(ref) is not None
    return ("entry", kind, ref, lang, fallback if uses_fallback else None)


_PLAIN_QUERIES: Final[dict[bytes, Lang | None]] = {b"": None, b"lang=ka": "ka", b"lang=en": "en"}
_LANGS: Final[dict[str, Lang]] = {"ka": "ka", "en": "en"}
# What the fast path reads of a list's query; anything else (staff filters, events' dates) takes the
# usual path. The bounds are the handler's, so a key built here is one the handler builds too.
_LIST_PARAMETERS: Final = frozenset({"lang", "limit", "cursor", "topic", "q"})
_LIMIT: Final = re.compile(r"[1-9][0-9]?|100")
_TEXT_LIMITS: Final = {"cursor": 200, "topic": 100, "q": 200}


def _text(headers: dict[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    return None if value is None else value.decode("latin-1")


def list_query(query: bytes) -> dict[str, str] | None:
    """A list's query string as the handler reads it, or None for one the fast path leaves alone.

    Each parameter once, known, non-empty and within the handler's bounds: then equal keys mean
    equal answers, however the URL was spelled (parameter order, percent-encoding).
    """
    if query in _PLAIN_QUERIES:
        lang = _PLAIN_QUERIES[query]
        return {} if lang is None else {"lang": lang}
    try:
        pairs = urllib.parse.parse_qsl(query.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return None
    found = dict(pairs)
    if len(found) != len(pairs) or not found.keys() <= _LIST_PARAMETERS or not all(found.values()):
        return None
    if "lang" in found and found["lang"] not in _LANGS:
        return None
    if "limit" in found and not _LIMIT.fullmatch(found["limit"]):
        return None
    if any(len(found[name]) > most for name, most in _TEXT_LIMITS.items() if name in found):
        return None
    return found


def _cached_readers(kind: str) -> tuple[Reader, Reader]:
    """The fast-path readers (service/cached_reads.py) of a list page and of one entry."""

    async def read_list(
        state: State, params: dict[str, Any], query: bytes, headers: dict[bytes, bytes]
    ) -> Answer | None:
        found = list_query(query)
        if found is None:
            return None
        lang = _LANGS.get(found.get("lang", ""))
        language = negotiate_language(lang, _text(headers, b"accept-language"))
        key = list_key(
            kind,
            language,
            int(found.get("limit", DEFAULT_LIMIT)),
            found.get("cursor"),
            found.get("topic"),
            found.get("q"),
        )
        if_none_match = _text(headers, b"if-none-match")
        kept = await _cache_of(state).peek(key, if_none_match)
        return None if kept is None else public_answer(kept, if_none_match, lang is None)

    async def read_entry(
        state: State, params: dict[str, Any], query: bytes, headers: dict[bytes, bytes]
    ) -> Answer | None:
        if query not in _PLAIN_QUERIES:
            return None
        lang = _PLAIN_QUERIES[query]
        fallback = negotiate_language(None, _text(headers, b"accept-language"))
        if_none_match = _text(headers, b"if-none-match")
        kept = await _cache_of(state).peek(entry_key(kind, params["ref"], lang, fallback), if_none_match)
        return None if kept is None else public_answer(kept, if_none_match, lang is None)

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
            translation: Annotated[
                str | None,
                QueryParameter(
                    description="staff only: missing or outdated, in `lang` when given, else in either"
                ),
            ] = None,
            limit: Limit = DEFAULT_LIMIT,
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
                    translation=translation,
                    translation_lang=lang,
                )

            if (
                staff or status is not None or translation is not None
            ):  # staff see more than the public: never kept
                return Response(await page())
            key = list_key(kind, language, limit, cursor, topic, q, starts_from, starts_to)
            if_none_match = request.headers.get("if-none-match")
            found = await _answers(request).get(key, page, if_none_match)
            return as_response(public_answer(found, if_none_match, lang is None))

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
                shown = await entry()
                headers = {"ETag": revision_etag(shown.revision)} if isinstance(shown.revision, int) else {}
                return Response(shown, headers=headers)
            if_none_match = request.headers.get("if-none-match")
            found = await _answers(request).get(entry_key(kind, ref, lang, fallback), entry, if_none_match)
            return as_response(public_answer(found, if_none_match, lang is None))

        @post("/", guards=[requires("author")], summary=f"Create a draft of {kind}")
        async def create_entry(
            self, request: Request[Principal, Any, Any], data: Annotated[EntryIn, Body()]
        ) -> EntryOut:
            return await entries.create_entry(kind, data, actor_of(request.user))

        @patch(
            "/{ref:str}",
            guards=[requires("author")],
            summary="Edit; each save is a revision",
            description='With `If-Match: "r{revision}"` (the ETag of a staff GET) the edit is made only if '
            "the entry is still at that revision, else 412 Precondition Failed.",
        )
        async def update_entry(
            self,
            request: Request[Principal, Any, Any],
            ref: FromPath[str],
            data: Annotated[EntryPatch, Body()],
        ) -> Response[EntryOut]:
            expected = expected_revision(request.headers.get("if-match"))
            try:
                saved = await entries.update_entry(
                    kind, _entry_id(ref), data, actor_of(request.user), expected_revision=expected
                )
            except StaleRevision as stale:
                raise HTTPException(
                    status_code=412,
                    detail=f"If-Match names a revision the entry is no longer at; it is at {stale.current}",
                    headers={"ETag": revision_etag(stale.current)},
                ) from None
            etag = {"ETag": revision_etag(saved.revision)} if isinstance(saved.revision, int) else {}
            return Response(saved, headers=etag)

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

        @get(
            "/{ref:str}/revisions/{number:int}",
            guards=[requires("author")],
            summary="One revision with its field diff against the one before",
        )
        async def get_revision(self, ref: FromPath[str], number: FromPath[int]) -> RevisionDetail:
            return await revisions.get_revision(kind, _entry_id(ref), number)

        @post(
            "/{ref:str}/revisions/{number:int}/restore",
            guards=[requires("editor")],
            status_code=200,
            summary="A new revision equal to revision n",
        )
        async def restore_revision(
            self, request: Request[Principal, Any, Any], ref: FromPath[str], number: FromPath[int]
        ) -> EntryOut:
            return await restore.restore_revision(kind, _entry_id(ref), number, actor_of(request.user))

        @post(
            "/{ref:str}/submit",
            guards=[requires("author")],
            status_code=200,
            summary="Submit one's own draft for review; editors are told by mail",
        )
        async def submit_entry(
            self,
            request: Request[Principal, Any, Any],
            ref: FromPath[str],
            data: Annotated[NoteIn | None, Body()] = None,
        ) -> EntryOut:
            actor = actor_of(request.user)
            entry_id = _entry_id(ref)
            shown = await submit.submit_entry(kind, entry_id, actor, (data or NoteIn()).note)
            await enqueue_review_mail(request.app.state.queue, SUBMITTED, entry_id, actor.id)
            return shown

        @post(
            "/{ref:str}/request-changes",
            guards=[requires("editor")],
            status_code=200,
            summary="Send an entry in review back to draft with a required note; the author is told",
        )
        async def request_changes(
            self,
            request: Request[Principal, Any, Any],
            ref: FromPath[str],
            data: Annotated[NoteIn | None, Body()] = None,
        ) -> EntryOut:
            actor = actor_of(request.user)
            entry_id = _entry_id(ref)
            shown = await request_changes.request_changes(kind, entry_id, actor, (data or NoteIn()).note)
            await enqueue_review_mail(request.app.state.queue, CHANGES_REQUESTED, entry_id, actor.id)
            return shown

        @get("/{ref:str}/comments", guards=[requires("author")], summary="The review conversation")
        async def list_comments(self, ref: FromPath[str]) -> list[CommentOut]:
            return await comments.list_comments(kind, _entry_id(ref))

        @post("/{ref:str}/comments", guards=[requires("author")], summary="Add to the review conversation")
        async def add_comment(
            self,
            request: Request[Principal, Any, Any],
            ref: FromPath[str],
            data: Annotated[CommentIn, Body()],
        ) -> CommentOut:
            return await comments.add_comment(kind, _entry_id(ref), actor_of(request.user), data.body)

        @post(
            "/{ref:str}/translations/{lang:str}/current",
            guards=[requires("author")],
            status_code=200,
            summary="Clear the outdated mark of one translation",
            description="Whoever may edit the entry says this translation matches the other language.",
        )
        async def mark_translation_current(
            self, request: Request[Principal, Any, Any], ref: FromPath[str], lang: FromPath[str]
        ) -> EntryOut:
            return await mark_current.mark_current(kind, _entry_id(ref), lang, actor_of(request.user))

    EntryController.__name__ = f"{kind.title()}Controller"
    EntryController.__qualname__ = EntryController.__name__
    return EntryController


ENTRY_CONTROLLERS = [entry_controller(kind) for kind in KINDS]
