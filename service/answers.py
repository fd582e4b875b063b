"""Public answers (entry lists, entries by slug) kept as encoded JSON per content version, with ETags.

An answer encoded once serves every reader until the content version (service/content_watch.py)
moves. `public_answer` is the one builder of what such a route sends, for the Litestar handlers and
the fast path (service/cached_reads.py) alike.
"""

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Final

import msgspec
from litestar.serialization import encode_json

from service.answer_memory import AnswerMemory
from service.cached_reads import Answer
from service.content_watch import ContentWatch
from service.feeds.conditional import is_not_modified

DEFAULT_BUDGET: Final = 64 << 20  # bytes of encoded answers per process (CACHE_MEMORY_MB sets it)
LARGEST_ANSWER: Final = 1 << 20  # bigger answers (none today) are not kept
_NO_CACHE: Final = (b"cache-control", b"no-cache")  # revalidate: content may change any time
_VARY: Final = (b"vary", b"Accept-Language")
_JSON: Final = (b"content-type", b"application/json")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)  # If-Modified-Since is not read for these answers


class CachedAnswer(msgspec.Struct, frozen=True):
    """An encoded JSON answer and its strong ETag."""

    body: bytes
    etag: str


def public_answer(answer: CachedAnswer, if_none_match: str | None, vary: bool) -> Answer:
    """A kept answer as it stands, or 304 when the reader has it already (If-None-Match).

    `vary`: the language came from Accept-Language. The headers are those Litestar sent for
    `Response(body, media_type="application/json", headers=...)`, in its order.
    """
    encoded = [(b"etag", answer.etag.encode("latin-1")), _NO_CACHE]
    if vary:
        encoded.append(_VARY)
    if if_none_match is not None and (
        if_none_match == answer.etag  # the usual revalidation, first: no parsing
        or is_not_modified(if_none_match, None, (answer.etag,), _EPOCH)
    ):
        return Answer(304, encoded, b"")
    encoded += [_JSON, (b"content-length", b"%d" % len(answer.body))]
    return Answer(200, encoded, answer.body)


def _answer_size(answer: CachedAnswer) -> int:
    return len(answer.body)


def _answer_etag(answer: CachedAnswer) -> str:
    return answer.etag


class AnswerCache:
    """Encoded answers by key for the current content version, in this process's memory (bounded)."""

    def __init__(self, watch: ContentWatch, budget: int = DEFAULT_BUDGET) -> None:
        self.watch = watch
        self._version: str | None = None
        self._answers = AnswerMemory(budget, _answer_size, _answer_etag)
        self.encodes = 0  # how many answers this process built (for tests)

    def _remembered(self, key: Any, if_none_match: str | None) -> CachedAnswer | None:
        """The answer kept for `key`, or its ETag alone when that is what the reader already holds."""
        found = self._answers.get(key)
        if found is not None or if_none_match is None:
            return found
        etag = self._answers.etag(key)
        if etag is not None and is_not_modified(if_none_match, None, (etag,), _EPOCH):
            return CachedAnswer(b"", etag)  # public_answer makes it a 304: the body is never sent
        return None

    async def peek(self, key: Any, if_none_match: str | None = None) -> CachedAnswer | None:
        """The answer for `key` at the current version if it is kept, else None (nothing is built).

        With `if_none_match`, an answer whose body was evicted but whose ETag the reader sends is
        found too (as its ETag alone), so that revalidations are answered 304 without building.
        """
        version = await self.watch.version()
        if version != self._version:
            return None
        return self._remembered(key, if_none_match)

    async def get(
        self, key: Any, build: Callable[[], Awaitable[Any]], if_none_match: str | None = None
    ) -> CachedAnswer:
        """The answer for `key` at the current version, built and encoded once if not kept (see peek)."""
        version = await self.watch.version()
        if version != self._version:
            self._answers.clear()
            self._version = version
        found = self._remembered(key, if_none_match)
        if found is not None:
            return found
        body = encode_json(await build())  # exactly the bytes Litestar would send
        self.encodes += 1
        answer = CachedAnswer(body, f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"')
        if self._version == version and len(body) <= LARGEST_ANSWER:
            self._answers.put(key, answer)
        return answer

    @property
    def memory(self) -> AnswerMemory[CachedAnswer]:
        """The bounded store behind this cache (its `used` bytes and length, for metrics and benches)."""
        return self._answers
