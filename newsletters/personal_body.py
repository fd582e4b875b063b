"""A MIME part with personal placeholders, quoted-printable once: static chunks and slots between them."""

import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

SOFT_BREAK: Final = b"=\r\n"
MAX_LINE: Final = 76  # RFC 2045: an encoded line is at most 76 characters


def crlf(text: str) -> bytes:
    """The text in UTF-8 with every line ending CRLF, as MIME wants it."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").encode("utf-8")


def quoted_printable(data: bytes) -> bytes:
    """`data` quoted-printable with CRLF line ends, ending on a fresh line (a soft break when needed).

    Every chunk and every slot value starts a line of its own, so joining them never makes a line
    longer than 76 characters, whatever a recipient's value is.
    """
    if not data:
        return b""
    # b2a_qp keeps CRLF line ends only when the data's first line ending is CRLF; values have none,
    # and their soft breaks come out as "=\n".
    encoded = binascii.b2a_qp(data, istext=True)
    if b"\r\n" not in data:
        encoded = encoded.replace(b"=\n", SOFT_BREAK)
    if encoded.endswith(b"\r\n"):
        return encoded
    start = encoded.rfind(b"\n") + 1
    if len(encoded) - start >= MAX_LINE:  # no room for the "=" of the soft break: move the last unit down
        cut = len(encoded) - (3 if encoded[-3:-2] == b"=" else 1)
        encoded = encoded[:cut] + SOFT_BREAK + encoded[cut:]
    return encoded + SOFT_BREAK


@dataclass(frozen=True, slots=True)
class PersonalBody:
    """A part's encoded body: `chunks[0] slot[0] chunks[1] ... chunks[-1]`, each slot a placeholder's name."""

    chunks: tuple[bytes, ...]
    slots: tuple[str, ...]

    def fill(self, values: dict[str, bytes]) -> list[bytes]:
        """The pieces of the body with each slot's already-encoded value put in (join them to send)."""
        pieces = [self.chunks[0]]
        for name, chunk in zip(self.slots, self.chunks[1:], strict=True):
            pieces += (values[name], chunk)
        return pieces


def encode_part(text: str, pattern: re.Pattern[str]) -> PersonalBody:
    """Cut `text` at the placeholders `pattern` finds (its last group names the slot) and encode each piece.

    The placeholders must be ASCII tokens that never occur by chance; their values are encoded per
    recipient with `encode_value`.
    """
    cut = pattern.split(text)
    width = 1 + pattern.groups
    statics = cut[0::width]
    names = cut[width - 1 :: width]
    return PersonalBody(
        chunks=tuple(quoted_printable(crlf(static)) for static in statics),
        slots=tuple(names),
    )


def encode_value(value: str, escape: Callable[[str], str] | None = None) -> bytes:
    """A recipient's value for a slot (escaped first when the part is HTML), quoted-printable."""
    return quoted_printable(crlf(escape(value) if escape else value))
