"""The one watch of the content version that every public cache (answers, feeds) keys its entries by.

The public's view of content changes only when content is written or an embargo lifts. `ContentWatch`
says which version is current: it asks the database (`content_version`) at most every
`recheck_seconds`, at once after a write transaction of this process commits (the app factory hooks
`expire` to `core.db.on_committed_write`), and at the moment the next embargo lifts; writes by other
processes (API workers, the scheduled-publishing job) show within `recheck_seconds`.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from core.db import utcnow


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
