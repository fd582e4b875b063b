"""Mail addresses: validation with email-validator, one normal form, and the keyed hash of it."""

import hashlib
import hmac

from email_validator import EmailNotValidError, validate_email

from content.errors import Invalid

MAX_ADDRESS_LENGTH = 320


def normalise_address(address: str, *, field: str = "email") -> str:
    """The address in the one form used for uniqueness (lower case), or `Invalid` saying why not."""
    cleaned = address.strip()
    if not cleaned or len(cleaned) > MAX_ADDRESS_LENGTH:
        raise Invalid("a mail address is required (at most 320 characters)", field=field)
    try:
        checked = validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(f"not a valid mail address: {error}", field=field) from error
    # Local parts are case-sensitive on paper, never in practice: one person, one row.
    return checked.normalized.lower()


def address_key(secret_key: str, normalised: str) -> str:
    """HMAC-SHA256 of the normalised address: unique per person, kept after erasure to block re-adding."""
    return hmac.new(secret_key.encode(), b"address:" + normalised.encode(), hashlib.sha256).hexdigest()
