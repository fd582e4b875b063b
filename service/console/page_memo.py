"""Console pages rendered once and served again while the content version and the staff stay the same.

A list of entries is the same page for every staff member of one role in one language: what differs
is the CSRF token in its forms, which the memo keeps as a marker and fills in per request. A page
is kept for the content version it was rendered at (service/content_watch.py: any entry or topic
write, here at once and elsewhere within the watch's recheck time), at most `seconds` (the staff
shown in filters, written by another process), and forgotten at once by any committed write
transaction of this process (the app hooks `forget` to `core.db.on_committed_write`).
"""

import secrets
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Final, NamedTuple

from service.content_watch import ContentWatch

MEMORY_LIMIT: Final = 2_000  # pages kept; past it the memo starts again (searches are unbounded)


class _Kept(NamedTuple):
    version: str
    until: float
    html: str


class PageMemo:
    """Rendered console pages by key, in this process's memory."""

    def __init__(
        self, watch: ContentWatch, *, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.watch = watch
        self.seconds = seconds
        self.clock = clock
        # Unguessable, so that no title or search can make a page show someone's token elsewhere.
        self.marker = f"csrf-{secrets.token_hex(16)}"
        self._pages: dict[Hashable, _Kept] = {}
        self._forgotten = 0
        self.renders = 0  # how many pages this process rendered through the memo (for tests)

    def forget(self) -> None:
        """Render every page again (this process just wrote something)."""
        self._pages.clear()
        self._forgotten += 1

    async def page(
        self, key: Hashable, token: str, render: Callable[[], Awaitable[str | None]]
    ) -> str | None:
        """The page for `key` with `token` as its CSRF token; `render` (with `marker` as the token)
        when it is not kept. A render answering None (a page not to keep, such as one with errors)
        is not kept and gives None."""
        version = await self.watch.version()
        kept = self._pages.get(key)
        if kept is None or kept.version != version or self.clock() >= kept.until:
            started, forgotten = self.clock(), self._forgotten
            html = await render()
            self.renders += 1
            if html is None:
                return None
            kept = _Kept(version, started + self.seconds, html)
            # A write that committed while this rendered may not be in it: serve it, keep it not.
            if forgotten == self._forgotten:
                if len(self._pages) >= MEMORY_LIMIT:
                    self._pages.clear()
                self._pages[key] = kept
        return kept.html.replace(self.marker, token)
