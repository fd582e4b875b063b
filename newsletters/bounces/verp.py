"""VERP tokens: the envelope sender `bounces+{token}@{BOUNCE_DOMAIN}` names what a report came back for.

A token is base32 of a kind letter, a UUID and a truncated HMAC of both: short, unguessable, with no
address in it. Kinds: `d` a delivery row of the ledger, `s` a subscriber (the confirmation mail),
`t` a campaign's test send (no row: a bounce of it is recorded but changes nothing).
"""

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Final, Literal
from uuid import UUID

Kind = Literal["d", "s", "t"]
KINDS: Final = frozenset({"d", "s", "t"})
MAC_BYTES: Final = 6  # 48 bits: a guess is right once in 2.8e14 tries, and the token stays 37 letters
LOCAL_PREFIX: Final = "bounces+"
TOKEN: Final = re.compile(r"bounces\+([a-z2-7]{37})@", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Verp:
    """What a return path names: the kind and the id."""

    kind: Kind
    id: UUID


def _key(secret_key: str) -> bytes:
    # Its own key, so that a VERP token can never stand in for any other signed value of the service.
    return hmac.new(secret_key.encode(), b"scmi verp return path", hashlib.sha256).digest()


def _mac(secret_key: str, body: bytes) -> bytes:
    return hmac.new(_key(secret_key), body, hashlib.sha256).digest()[:MAC_BYTES]


def make_token(secret_key: str, kind: Kind, ident: UUID) -> str:
    """The token of one delivery (`d`), subscriber (`s`) or test send (`t`)."""
    body = kind.encode() + ident.bytes
    return base64.b32encode(body + _mac(secret_key, body)).decode().rstrip("=").lower()


def read_token(secret_key: str, token: str) -> Verp | None:
    """What a token names, or None when it is not one of ours (forged, cut, another key)."""
    text = token.strip().upper()
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 1 + 16 + MAC_BYTES:
        return None
    body, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    kind = body[:1].decode("ascii", "replace")
    if kind not in KINDS or not hmac.compare_digest(mac, _mac(secret_key, body)):
        return None
    return Verp(kind=kind, id=UUID(bytes=body[1:]))  # type: ignore[arg-type]


def return_path(secret_key: str, domain: str, kind: Kind, ident: UUID) -> str:
    """The envelope sender of one message: `bounces+{token}@{domain}`."""
    return f"{LOCAL_PREFIX}{make_token(secret_key, kind, ident)}@{domain}"


def find_verp(secret_key: str, texts: list[str]) -> Verp | None:
    """The first valid token in any of these header values or lines (a report's To, Delivered-To...)."""
    for text in texts:
        for found in TOKEN.finditer(text):
            verp = read_token(secret_key, found.group(1))
            if verp is not None:
                return verp
    return None


@dataclass(frozen=True, slots=True)
class ReturnPaths:
    """How envelope senders are made: VERP when BOUNCE_DOMAIN is set, else the From address as before."""

    secret_key: str = ""
    domain: str = ""

    def sender(self, fallback: str, kind: Kind, ident: UUID) -> str:
        """The envelope sender for one message; `fallback` (the From address) without BOUNCE_DOMAIN."""
        if not self.domain:
            return fallback
        return return_path(self.secret_key, self.domain, kind, ident)
