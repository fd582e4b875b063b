"""Mail messages built once per edition and personalised at the bytes level, safe against header injection."""

import html
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.utils import formataddr, formatdate, parseaddr
from typing import Final

from core.errors import Invalid
from newsletters.rendering import Edition, Personal, clean_line, greeting

MAX_LINE: Final = 900  # SMTP allows 998 octets a line; leave room for what personalisation adds
_BREAK_AFTER: Final = re.compile(rb"(?<=>)|(?<= )")
# A plain ASCII dot-atom address, what nearly every subscriber has: the header parser below accepts
# such an address unchanged (tests/newsletters/test_mime.py compares the two on a corpus), so a
# campaign skips its ~40 µs per recipient; anything else still goes through the parser.
_DOT_ATOM: Final = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
PLAIN_ADDRESS: Final = re.compile(rf"{_DOT_ATOM}@{_DOT_ATOM}")


def checked_address(address: str, field: str = "email") -> str:
    """An address fit for a header: one mailbox, no spaces, quotes or line breaks."""
    address = address.strip()
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    return parsed_address(address, field)


def parsed_address(address: str, field: str = "email") -> str:
    """`checked_address` by the standard library's header parser alone (the slow, general path)."""
    address = address.strip()
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError, HeaderParseError):
        raise Invalid(f"not a usable email address: {address[:80]!r}", field=field) from None
    if parsed.addr_spec != address or any(char in address for char in '\r\n\t "<>,;'):
        raise Invalid(f"not a usable email address: {address[:80]!r}", field=field)
    return address


def mailbox(name: str, address: str) -> str:
    """`Name <address>` with the name encoded (RFC 2047) when it is not ASCII."""
    return formataddr((clean_line(name), checked_address(address)), charset="utf-8")


def encoded_header(value: str) -> str:
    """A header value on one logical line, RFC 2047-encoded when needed; no CR or LF gets through."""
    return Header(clean_line(value, 998), "utf-8", maxlinelen=76).encode(linesep="\r\n")


def wrap_long_lines(body: bytes) -> bytes:
    """Break lines longer than MAX_LINE after a tag or a space, so an 8bit body stays within SMTP limits."""
    out: list[bytes] = []
    for line in body.split(b"\r\n"):
        while len(line) > MAX_LINE:
            cut = max(
                (m.start() for m in _BREAK_AFTER.finditer(line, 0, MAX_LINE) if m.start() > 0), default=0
            )
            if cut == 0:
                cut = MAX_LINE
                while cut > 0 and (line[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
                    cut -= 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return b"\r\n".join(out)


def _crlf(text: str) -> bytes:
    return wrap_long_lines(
        text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").encode("utf-8")
    )


@dataclass(frozen=True)
class Sender:
    """Who newsletters come from, and the list they belong to."""

    from_name: str
    from_address: str
    list_id: str  # e.g. "partners.newsroom.migration.commission.ge"
    reply_to: str | None = None

    @property
    def domain(self) -> str:
        return self.from_address.rpartition("@")[2]


class PreparedMessage:
    """One edition as mail: headers and body encoded once; `personalise` only fills in the recipient."""

    def __init__(self, edition: Edition, sender: Sender, *, list_name: str = "") -> None:
        self.edition = edition
        self.sender = sender
        self._pattern = edition.placeholders.pattern()
        boundary = f"scmi-{secrets.token_hex(12)}"
        static = [
            f"From: {mailbox(sender.from_name, sender.from_address)}",
            f"Subject: {encoded_header(edition.subject)}",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            f"List-Id: {encoded_header(list_name)} <{clean_line(sender.list_id, 200)}>"
            if list_name
            else f"List-Id: <{clean_line(sender.list_id, 200)}>",
            f"Content-Language: {edition.lang}",
        ]
        if sender.reply_to:
            static.append(f"Reply-To: {checked_address(sender.reply_to, 'reply_to')}")
        self._static_headers = ("\r\n".join(static) + "\r\n").encode("ascii")
        # 8bit keeps Georgian compact (quoted-printable would triple it) and the placeholders intact.
        part_headers = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        parts = [
            f"--{boundary}\r\n{part_headers.format('plain')}".encode(),
            _crlf(edition.text),
            f"\r\n--{boundary}\r\n{part_headers.format('html')}".encode(),
            _crlf(edition.html),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
        self._body = b"".join(parts)
        # The body cut at its placeholders once: personalising is then a join, not a search per message.
        cut = self._pattern.split(self._body)
        self._statics: list[bytes] = cut[0::3]
        self._slots: list[tuple[bool, str]] = [
            (part == b"html", name.decode()) for part, name in zip(cut[1::3], cut[2::3], strict=True)
        ]

    def personalise(self, address: str, personal: Personal) -> tuple[bytes, str]:
        """The whole message for one recipient, and its Message-ID."""
        message_id = f"<{uuid.uuid4().hex}@{self.sender.domain}>"
        unsubscribe = clean_line(personal.unsubscribe_url, 500)
        headers = (
            f"To: {mailbox(personal.name, address)}\r\n"
            f"Date: {_now_header()}\r\n"
            f"Message-ID: {message_id}\r\n"
            f"List-Unsubscribe: <{unsubscribe}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        ).encode("ascii")
        values = {
            "greeting": greeting(self.edition.lang, personal.name),
            "subscriber_name": clean_line(personal.name),
            "unsubscribe_url": unsubscribe,
            "preferences_url": clean_line(personal.preferences_url, 500),
        }

        encoded: dict[tuple[bool, str], bytes] = {}
        body = [self._static_headers, headers, b"\r\n", self._statics[0]]
        for slot, static in zip(self._slots, self._statics[1:], strict=True):
            value = encoded.get(slot)
            if value is None:
                text = values.get(slot[1], "")
                value = encoded[slot] = (html.escape(text) if slot[0] else text).encode("utf-8")
            body += (value, static)
        return b"".join(body), message_id


_date: tuple[int, str] = (0, "")


def _now_header() -> str:
    """The Date header's value, formatted once a second rather than once a message."""
    global _date
    second = int(time.time())
    if _date[0] != second:
        _date = (second, formatdate(second, usegmt=True))
    return _date[1]


def address_of(header_value: str) -> str:
    """The bare address in a `Name <address>` header value."""
    return parseaddr(header_value)[1]
