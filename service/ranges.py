"""HTTP Range requests (RFC 9110 §14): one byte range per request, which is what players ask for."""

import re
from typing import Final

SINGLE_RANGE: Final = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(Exception):
    """The range lies wholly outside the representation."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range [first, last] that `header` asks for, or None for the whole file.

    A malformed header or several ranges are ignored (the whole file is sent), as RFC 9110 allows.
    """
    if not header:
        return None
    match = SINGLE_RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable
    last = int(last_text) if last_text else size - 1
    return first, min(last, size - 1)
