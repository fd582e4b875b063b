"""Signed form stamps: when a sign-up form was served, so that a form sent back too fast is refused."""

import base64
import binascii
import hashlib
import hmac
import time
from typing import Final

_MAC_BYTES: Final = 16
# A stamp older than this is stale (the form was left open for a day): the form is shown again.
MAX_AGE_SECONDS: Final = 24 * 3600


def _mac(secret_key: str, payload: bytes) -> bytes:
    key = hmac.new(secret_key.encode(), b"form-stamp", hashlib.sha256).digest()
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def issue_stamp(secret_key: str, served_at: float | None = None) -> str:
    """A stamp naming the time the form is served (now unless given), signed with the secret key."""
    payload = int(served_at if served_at is not None else time.time()).to_bytes(8, "big")
    return base64.urlsafe_b64encode(payload + _mac(secret_key, payload)).decode().rstrip("=")


def stamp_age(secret_key: str, stamp: str, now: float | None = None) -> float | None:
    """Seconds since the stamped form was served; None for a forged, malformed or stale stamp."""
    try:
        raw = base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 8 + _MAC_BYTES or not hmac.compare_digest(raw[8:], _mac(secret_key, raw[:8])):
        return None
    age = (now if now is not None else time.time()) - int.from_bytes(raw[:8], "big")
    return age if 0 <= age <= MAX_AGE_SECONDS else None
