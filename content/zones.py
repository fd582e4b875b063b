"""Time zones by their IANA names, as staff and the API give them."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LONGEST_NAME = 64  # the longest IANA name is about 30 characters


def zone_named(name: str) -> ZoneInfo | None:
    """The zone called `name` (`Asia/Tbilisi`), or None for anything that is not one.

    ZoneInfo reads the name as a file path: a very long name raises OSError, a NUL or a `..`
    ValueError, so every form of a wrong name is caught here, once.
    """
    if not name or len(name) > LONGEST_NAME:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
