"""8bit bodies on the wire: tell them apart, and re-encode them 7-bit for a server without 8BITMIME."""

import binascii
import email
import email.policy
from email.message import Message


def has_8bit(message: bytes) -> bool:
    """Whether any byte of the message is outside ASCII (an 8bit body, or raw UTF-8 headers)."""
    return not message.isascii()


def headers_are_ascii(message: bytes) -> bool:
    """Whether the header block is plain ASCII (non-ASCII headers need SMTPUTF8, not 8BITMIME)."""
    return message.split(b"\r\n\r\n", 1)[0].isascii()


def as_7bit(message: bytes) -> bytes:
    """The same message with every 8bit text part re-encoded quoted-printable (decoding to the same text).

    Only for messages whose headers are ASCII; a DKIM signature over the old body no longer holds,
    so a signed message should be 7-bit before it is signed (the campaign engine's messages are).
    """
    parsed = email.message_from_bytes(message, policy=email.policy.SMTP)
    for part in parsed.walk():
        if part.is_multipart() or part.get("Content-Transfer-Encoding", "7bit").lower() not in {
            "8bit",
            "binary",
        }:
            continue
        _requote(part)
    return parsed.as_bytes(policy=email.policy.SMTP)


def _requote(part: Message) -> None:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    text = payload.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    encoded = binascii.b2a_qp(text, istext=True)
    if b"\r\n" not in text:  # b2a_qp writes CRLF line ends only after seeing one
        encoded = encoded.replace(b"=\n", b"=\r\n")
    part.replace_header("Content-Transfer-Encoding", "quoted-printable")
    part.set_payload(encoded.decode("ascii"))
