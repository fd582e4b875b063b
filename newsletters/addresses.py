"""Mail addresses: validation with email-validator, one normal form, and the keyed hash of it."""

import functools
import hashlib
import hmac
import re
from typing import Final

from email_validator import EmailNotValidError, validate_email

from core.errors import Invalid

MAX_ADDRESS_LENGTH = 320
# The common case, a plain ASCII dot-atom local part: email-validator's verdict on such an address
# depends only on its domain (and the length limits below), so the domain is validated once per
# import and not once per row (~90 µs). Everything else goes to email-validator whole.
_PLAIN_LOCAL: Final = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*")
_MAX_PLAIN_LOCAL: Final = 64
_MAX_PLAIN_TOTAL: Final = 254


def normalise_address(address: str, *, field: str = "email") -> str:
    """The address in the one form used for uniqueness (lower case), or `Invalid` saying why not."""
    cleaned = address.strip()
    local, at, domain = cleaned.rpartition("@")
    if (
        at
        and len(local) <= _MAX_PLAIN_LOCAL
        and len(cleaned) <= _MAX_PLAIN_TOTAL
        and _PLAIN_LOCAL.fullmatch(local)
        and (normal_domain := _plain_domain(domain)) is not None
    ):
        return f"{local}@{normal_domain}".lower()
    return validated_address(address, field=field)


def validated_address(address: str, *, field: str = "email") -> str:
    """`normalise_address` by email-validator alone (the general path, and the fast path's yardstick)."""
    cleaned = address.strip()
    if not cleaned or len(cleaned) > MAX_ADDRESS_LENGTH:
        raise Invalid("a mail address is required (at most 320 characters)", field=field)
    try:
        checked = validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(f"not a valid mail address: {error}", field=field) from error
    # Local parts are case-sensitive on paper, never in practice: one person, one row.
    return checked.normalized.lower()


@functools.lru_cache(maxsize=4096)
def _plain_domain(domain: str) -> str | None:
    """The domain as email-validator normalises it, when it is plain ASCII it accepts unchanged; else None."""
    if not domain.isascii():
        return None
    try:
        normal = validate_email(f"x@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None
    return normal if normal == domain.lower() else None


def address_key(secret_key: str, normalised: str) -> str:
    """HMAC-SHA256 of the normalised address: unique per person, kept after erasure to block re-adding."""
    return hmac.new(secret_key.encode(), b"address:" + normalised.encode(), hashlib.sha256).hexdigest()


def masked_address(address: str) -> str:
    """The address as a page shows it to whoever holds the link: `n***@example.org`."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"
