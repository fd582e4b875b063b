"""DKIM signatures for outgoing mail, when a key is configured."""

from dataclasses import dataclass
from typing import Final

import dkim

SIGNED_HEADERS: Final = (
    b"from", b"to", b"subject", b"date", b"message-id", b"reply-to", b"mime-version", b"content-type",
    b"list-id", b"list-unsubscribe", b"list-unsubscribe-post",
)  # fmt: skip


@dataclass(frozen=True)
class DkimKey:
    """A signing key: the domain, its selector, and the PEM private key."""

    domain: str
    selector: str
    private_key_pem: bytes


def sign(message: bytes, key: DkimKey) -> bytes:
    """The message with a DKIM-Signature header in front (relaxed/simple, rsa-sha256)."""
    signature = dkim.sign(
        message,
        key.selector.encode(),
        key.domain.encode(),
        key.private_key_pem,
        canonicalize=(b"relaxed", b"simple"),
        include_headers=list(SIGNED_HEADERS),
    )
    return bytes(signature) + message
