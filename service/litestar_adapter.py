"""The one module of ours that may use private Litestar names (tested with Litestar 2.25).

Private names can change in any Litestar release; keeping them here means one file to check when
Litestar moves; the dependency is to be pinned to the minor range this is tested with
(`litestar>=2.25,<2.26` in pyproject.toml). Each has no public equivalent:

- `litestar._asgi.utils.is_valid_host`: the check Litestar's router makes on the Host header before
  routing (a bad one gets 400). The fast path (service/cached_reads.py) answers before the router,
  so it asks the same function, not a copy of its pattern that could drift from it.
"""

from collections.abc import Callable
from typing import Final

from litestar._asgi.utils import is_valid_host as _router_host_check

is_valid_host: Final[Callable[[bytes], bool]] = _router_host_check
