"""Public answers (entry lists, entries by slug) kept as encoded JSON per content version, with ETags.

The public's view of entries changes only when content is written or an embargo lifts, so an
answer encoded once serves every reader until then. `ContentWatch` says which version is current:
it asks the database (`content_version`) at most every `recheck_seconds`, at once after a write
transaction of this process commits, and at the moment the next embargo lifts; writes by other
processes (API workers, the scheduled-publishing job) show within `recheck_seconds`.
"""

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

import msgspec
from litestar.serialization import encode_json

from core.db import utcnow

MEMORY_LIMIT: Final = 4096
LARGEST_ANSWER: Final = 1 << 20  # bigger answers (none today) are not kept


class ContentWatch:
    """The content version as this process knows it, and when it must ask again."""

    def __init__(
        self,
        load_version: Callable[[], Awaitable[str]],
        next_change: Callable[[], Awaitable[datetime | None]],
        *,
        recheck_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._load_version = load_version
        self._next_change = next_change
        self.recheck_seconds = recheck_seconds
        self.clock = clock
        self.now = now
        self._version: str | None = None
        self._checked_at = 0.0
        self._changes_at: datetime | None = None
        self._expiries = 0
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        if self._version is None or self.clock() - self._checked_at >= self.recheck_seconds:
            return False
        return self._changes_at is None or self.now() < self._changes_at

    def _only_aged(self) -> bool:
        """Whether the version is merely due for its periodic check (no write here, no embargo lift)."""
        return self._version is not None and (self._changes_at is None or self.now() < self._changes_at)

    def expire(self) -> None:
        """Forget the version (this process just wrote): the next request asks the database."""
        self._version = None
        self._expiries += 1

    async def version(self) -> str:
        """The current content version."""
        if self._fresh():
            assert self._version is not None
            return self._version
        if self._lock.locked() and self._only_aged():
            # Another request is asking the database already: the rest keep the version they have
            # meanwhile instead of queueing behind it (a few ms each time, every reader at once).
            assert self._version is not None
            return self._version
        async with self._lock:
            if self._fresh():
                assert self._version is not None
                return self._version
            started, expiries = self.clock(), self._expiries
            version = await self._load_version()
            self._changes_at = await self._next_change()
            # A write that committed while we asked may not be in what we read: ask again next time.
            if expiries == self._expiries:
                self._version, self._checked_at = version, started
            return version


class CachedAnswer(msgspec.Struct, frozen=True):
    """An encoded JSON answer and its strong ETag."""

    body: bytes
    etag: str


class AnswerCache:
    """Encoded answers by key for the current content version, in this process's memory."""

    def __init__(self, watch: ContentWatch) -> None:
        self.watch = watch
        self._version: str | None = None
        self._answers: dict[Any, CachedAnswer] = {}
        self.encodes = 0  # how many answers this process built (for tests)

    async def peek(self, key: Any) -> CachedAnswer | None:
        """The answer for `key` at the current version if it is kept, else None (nothing is built)."""
        version = await self.watch.version()
        if version != self._version:
            return None
        return self._answers.get(key)

    async def get(self, key: Any, build: Callable[[], Awaitable[Any]]) -> CachedAnswer:
        """The answer for `key` at the current version, built and encoded once if not kept."""
        version = await self.watch.version()
        if version != self._version:
            self._answers, self._version = {}, version
        found = self._answers.get(key)
        if found is not None:
            return found
        body = encode_json(await build())  # exactly the bytes Litestar would send
        self.encodes += 1
        answer = CachedAnswer(body, f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"')
        if self._version == version and len(body) <= LARGEST_ANSWER:
            if len(self._answers) >= MEMORY_LIMIT:
                self._answers.clear()
            self._answers[key] = answer
        return answer
