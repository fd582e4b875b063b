"""Bounded memory for encoded answers: least recently used go first, by bytes and by count.

Any stream of distinct URLs (random `q`, cursors, limits) passes through a process's caches. A
clear-all when full would throw the hot set (first pages, popular entries, feeds) out with it, so
the caches here evict only what was used least recently, and stay within a byte budget.
"""

from collections.abc import Callable, Hashable
from typing import Final, Generic, TypeVar

from cachetools import LRUCache

# What a kept answer costs beyond its bytes: the key, the cache's own links, the value's object.
ENTRY_OVERHEAD: Final = 512
ETAG_OVERHEAD: Final = 256  # an ETag remembered without its body: key, 34-byte tag, links

Value = TypeVar("Value")


class AnswerMemory(Generic[Value]):
    """Values by key within `budget` bytes (each counted as its size plus ENTRY_OVERHEAD), LRU first out.

    Given `etag_of`, it also remembers each key's last ETag in a quarter of the budget again, so that
    a conditional request whose answer was evicted is still answered 304 without being built.
    """

    def __init__(
        self, budget: int, size_of: Callable[[Value], int], etag_of: Callable[[Value], str] | None = None
    ) -> None:
        self.budget = budget
        self._size_of = size_of
        self._etag_of = etag_of
        self._values: LRUCache[Hashable, Value] = LRUCache(
            maxsize=budget, getsizeof=lambda value: size_of(value) + ENTRY_OVERHEAD
        )
        etags = max(budget // 4 // ETAG_OVERHEAD, 1) if etag_of is not None else 1
        self._etags: LRUCache[Hashable, str] = LRUCache(maxsize=etags)

    def get(self, key: Hashable) -> Value | None:
        """The value kept for `key` (now the most recently used), or None."""
        return self._values.get(key)

    def etag(self, key: Hashable) -> str | None:
        """The ETag of the last value kept for `key`, even when the value itself was evicted."""
        return self._etags.get(key)

    def put(self, key: Hashable, value: Value) -> bool:
        """Keep `value`, evicting the least recently used; False when it alone exceeds the budget."""
        if self._etag_of is not None:
            self._etags[key] = self._etag_of(value)
        if self._size_of(value) + ENTRY_OVERHEAD > self.budget:
            return False
        self._values[key] = value
        return True

    def clear(self) -> None:
        """Forget everything (the content changed: every answer may be stale)."""
        self._values.clear()
        self._etags.clear()

    def __len__(self) -> int:
        return len(self._values)

    @property
    def used(self) -> int:
        """Bytes counted against the budget now."""
        return int(self._values.currsize)
