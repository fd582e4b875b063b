"""Console pages rendered once and served again while the content version and the staff stay the same.

A list of entries is the same page for every staff member of one role in one language: what differs
is the CSRF token in its forms, which the memo keeps as a marker and fills in per request. A page
is kept for the content version it was rendered at (service/content_watch.py: any entry or topic
write, here at once and elsewhere within the watch's recheck time), at most `seconds` (the staff
shown in filters, written by another process), and forgotten at once by any committed write
transaction of this process (the app hooks `forget` to `core.db.on_committed_write`).
"""

import asyncio
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
        # Renders under way, by key: the requests that want one page at once render it once.
        self._rendering: dict[Hashable, asyncio.Future[str | None]] = {}
        self.renders = 0  # how many pages this process rendered through the memo (for tests)

    def forget(self) -> None:
        """Render every page again (this process just wrote something)."""
        self._pages.clear()
        self._rendering.clear()
        self._forgotten += 1

    async def page(
        self, key: Hashable, token: str, render: Callable[[], Awaitable[str | None]]
    ) -> str | None:
        """The page for `key` with `token` as its CSRF token, from `render` when not kept.

        `render` writes `marker` where the token goes; when it answers None (a page not to keep,
        such as one with errors), so does this.
        """
        version = await self.watch.version()
        kept = self._pages.get(key)
        if kept is not None and kept.version == version and self.clock() < kept.until:
            return kept.html.replace(self.marker, token)
        under_way = self._rendering.get(key)
        if under_way is not None:
            html = await asyncio.shield(under_way)
            if html is None:  # a page with errors: this request renders its own, not kept
                html = await render()
            return None if html is None else html.replace(self.marker, token)
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._rendering[key] = future
        started, forgotten = self.clock(), self._forgotten
        try:
            html = await render()
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved: a render nobody else waited for logs nothing
            raise
        except BaseException:
            future.cancel()  # this request was cancelled: those waiting on it are told so
            raise
        finally:
            if self._rendering.get(key) is future:
                del self._rendering[key]
        self.renders += 1
        future.set_result(html)
        if html is None:
            return None
        # A write that committed while this rendered may not be in it: serve it, keep it not.
        if forgotten == self._forgotten:
            if len(self._pages) >= MEMORY_LIMIT:
                self._pages.clear()
            self._pages[key] = _Kept(version, started + self.seconds, html)
        return html.replace(self.marker, token)
