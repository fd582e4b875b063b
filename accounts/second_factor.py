"""The TOTP second factor (RFC 6238): secrets, codes accepted once, a QR code and recovery codes."""

import hashlib
import re
import secrets
import time
from typing import Final

import pyotp
import segno

from content.institution import COMMISSION

ISSUER: Final = COMMISSION["en"]
RECOVERY_CODES: Final = 10
STEP_SECONDS: Final = 30
# One step either side: a phone clock a little off, or a code typed as it changes, still works.
DRIFT_STEPS: Final = 1
_BASE32: Final = re.compile(r"[A-Z2-7]{32}")


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def is_secret(secret: str) -> bool:
    """Whether `secret` has the shape of the secrets `new_secret` makes."""
    return bool(_BASE32.fullmatch(secret))


def setup_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as inline SVG markup, drawn here (no image service is asked)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, dark="#1b1f24", light="#ffffff")
    return svg


def accepted_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step `code` belongs to if it is valid and newer than `last_step` (a code works once)."""
    code = "".join(code.split())
    if not is_secret(secret) or len(code) != 6 or not code.isdigit():
        return None  # a secret that is not ours (a tampered form) can match no code
    totp = pyotp.TOTP(secret)
    moment = time.time() if now is None else now
    current = int(moment // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > last_step and secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten one-time recovery codes, shown once, in groups easy to copy by hand."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]


def hash_recovery_code(code: str) -> str:
    """The stored form of a recovery code (case and spaces do not matter when typed)."""
    return hashlib.sha256("".join(code.lower().split()).encode()).hexdigest()
