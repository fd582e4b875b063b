"""Staff passwords: the rules a new one must meet, and Argon2id hashing."""

from typing import Final

import zxcvbn
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import Invalid

MIN_LENGTH: Final = 12
MAX_LENGTH: Final = 256  # Argon2 takes any length; a cap keeps a hostile form from costing seconds
# zxcvbn's score 3 is "safely unguessable: moderate protection from offline slow-hash scenario".
MIN_SCORE: Final = 3
_HASHER: Final = PasswordHasher()  # argon2-cffi's defaults are RFC 9106's second recommendation


class PasswordRefused(Invalid):
    """A new password breaks a rule; `reason` names it for a message in the person's language."""

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail, field="password")
        self.reason = reason


def check_new_password(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a password that is short, common or guessable from the person's own address or name."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"the password needs at least {MIN_LENGTH} characters", "short")
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(f"the password may have at most {MAX_LENGTH} characters", "long")
    own_words = [word for word in (email, email.partition("@")[0], name, *name.split()) if word]
    verdict = zxcvbn.zxcvbn(password[:100], user_inputs=own_words)
    common = any(match.get("dictionary_name") == "passwords" for match in verdict["sequence"])
    if common and len(verdict["sequence"]) == 1:
        raise PasswordRefused("this password is on the lists of common passwords", "common")
    if verdict["score"] < MIN_SCORE:
        raise PasswordRefused("this password is too easy to guess: use a longer phrase", "guessable")


def hash_password(password: str) -> str:
    """The stored form of a password (Argon2id, salted, parameters in the string)."""
    return _HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether `password` is the one behind `stored_hash` (False for an empty or broken hash)."""
    if not stored_hash or len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)


# A fixed hash to verify against when the account does not exist, so that both cases take as long.
# Written out rather than computed: hashing it cost every process start (and every CLI call) 0.2 s.
# Its parameters must stay today's; tests/accounts/test_passwords.py checks that they do.
DUMMY_HASH: Final = (
    "$argon2id$v=19$m=65536,t=3,p=4$kRpyXGFbAIx6MB+h0x2NTg$rjTKBDF/i7YfL2FaUweb03YP1Q3WCLgkPoZ6B8saZAQ"
)
