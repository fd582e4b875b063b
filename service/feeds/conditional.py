"""HTTP validators and conditional requests (RFC 9110 §13): ETag, Last-Modified, 304, gzip choice."""

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime


def http_date(moment: datetime) -> str:
    """An IMF-fixdate, as Last-Modified wants it."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _opaque(tag: str) -> str:
    """An entity tag without its weakness prefix, for weak comparison."""
    tag = tag.strip()
    return tag[2:] if tag.startswith(("W/", "w/")) else tag


def is_not_modified(
    if_none_match: str | None, if_modified_since: str | None, etags: tuple[str, ...], last_modified: datetime
) -> bool:
    """Whether a GET or HEAD with these preconditions gets 304.

    If-None-Match wins when present (weak comparison; `*` matches); otherwise If-Modified-Since
    compares at the one-second precision of HTTP dates. An unreadable date is ignored.
    """
    if if_none_match is not None:
        candidates = {_opaque(tag) for tag in if_none_match.split(",") if tag.strip()}
        return "*" in candidates or any(_opaque(tag) in candidates for tag in etags)
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.astimezone(UTC).replace(microsecond=0) <= since


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether the client takes gzip (listed, or `*`, with a non-zero quality)."""
    if not accept_encoding:
        return False
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() not in {"gzip", "x-gzip", "*"}:
            continue
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                return float(params[2:]) > 0
            except ValueError:
                return False
        return True
    return False
