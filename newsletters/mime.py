"""Mail messages built once per edition and personalised at the bytes level, safe against header injection."""

import hashlib
import html
import re
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.utils import format_datetime, formataddr, parseaddr
from typing import Final

from core.errors import Invalid
from newsletters.personal_body import encode_part, encode_value
from newsletters.rendering import Edition, Personal, clean_line, greeting

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
    """A header value on one logical line, folded; RFC 2047-encoded only when it is not ASCII."""
    value = clean_line(value, 998)
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, maxlinelen=76).encode(linesep="\r\n")


def new_message_id(domain: str) -> str:
    """A new, unique Message-ID in `domain` (the domain of the From address)."""
    return f"<{uuid.uuid4().hex}@{domain}>"


def date_header(timestamp: float | None = None) -> str:
    """An RFC 5322 date in UTC with a numeric zone (`+0000`, neither `GMT` nor `-0000`)."""
    moment = datetime.fromtimestamp(int(time.time() if timestamp is None else timestamp), UTC)
    return format_datetime(moment)


def list_id(slugs: Iterable[str], host: str) -> str:
    """A List-Id for a set of lists: the same set gives the same id in any order, another set another id.

    Slugs (`[a-z0-9-]`, never a dot) joined by dots keep one list's id readable and stable
    (`partners.newsroom.test`) and keep sets apart (`a-b` against `a` with `b`); a set too long for a
    header gets a digest of itself instead.
    """
    label = ".".join(sorted(set(slugs))) or "lists"
    if len(label) > 120:
        label = "lists-" + hashlib.sha256(label.encode()).hexdigest()[:16]
    return f"{label}.{host}"


def domain_of(address: str) -> str:
    """The domain of an address (`news@scmi.ge` -> `scmi.ge`), for Message-IDs."""
    return parseaddr(address)[1].rpartition("@")[2] or address.rpartition("@")[2]


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


def _part_pattern(edition: Edition, part: str) -> re.Pattern[str]:
    """The placeholders of one part (`html` or `text`), the slot's name as the pattern's one group."""
    prefix = edition.placeholders.token(part, "")[: -len("]]")]
    return re.compile(re.escape(prefix) + r"([a-z_]+)\]\]")


class PreparedMessage:
    """One edition as mail: headers and body encoded once; `personalise` only fills in the recipient.

    Both parts go out quoted-printable: 7-bit, lines of at most 76 characters broken by soft breaks
    that a client removes, so the HTML it decodes is byte for byte the renderer's (a hard break inside
    an attribute would change a style). Each placeholder sits on a line of its own, so a recipient's
    value, encoded on its own, never makes a line too long.
    """

    def __init__(
        self, edition: Edition, sender: Sender, *, list_name: str = "", list_mail: bool = True
    ) -> None:
        self.edition = edition
        self.sender = sender
        # Mail to an audience other than lists (an event's registrants) is no list mail: no List-Id,
        # no List-Unsubscribe; its opt-out link is in the body only.
        self.list_mail = list_mail
        boundary = f"scmi-{secrets.token_hex(12)}"
        static = [
            f"From: {mailbox(sender.from_name, sender.from_address)}",
            f"Subject: {encoded_header(edition.subject)}",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            f"Content-Language: {edition.lang}",
        ]
        if list_mail:
            static.insert(
                4,
                f"List-Id: {encoded_header(list_name)} <{clean_line(sender.list_id, 200)}>"
                if list_name
                else f"List-Id: <{clean_line(sender.list_id, 200)}>",
            )
        if sender.reply_to:
            static.append(f"Reply-To: {checked_address(sender.reply_to, 'reply_to')}")
        self._static_headers = ("\r\n".join(static) + "\r\n").encode("ascii")
        part_headers = (
            '--{boundary}\r\nContent-Type: text/{kind}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        self._text = encode_part(edition.text, _part_pattern(edition, "text"))
        self._html = encode_part(edition.html, _part_pattern(edition, "html"))
        self._text_head = part_headers.format(boundary=boundary, kind="plain").encode()
        self._html_head = ("\r\n" + part_headers.format(boundary=boundary, kind="html")).encode()
        self._end = f"\r\n--{boundary}--\r\n".encode()
        self._text_names = frozenset(self._text.slots)
        self._html_names = frozenset(self._html.slots)

    def personalise(self, address: str, personal: Personal) -> tuple[bytes, str]:
        """The whole message for one recipient, and its Message-ID."""
        message_id = new_message_id(self.sender.domain)
        unsubscribe = clean_line(personal.unsubscribe_url, 500)
        headers = (
            f"To: {mailbox(personal.name, address)}\r\n"
            f"Date: {_now_header()}\r\n"
            f"Message-ID: {message_id}\r\n"
            + (
                f"List-Unsubscribe: <{unsubscribe}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                if self.list_mail
                else ""
            )
        ).encode("ascii")
        values = {
            "greeting": greeting(self.edition.lang, personal.name),
            "subscriber_name": clean_line(personal.name),
            "unsubscribe_url": unsubscribe,
            "preferences_url": clean_line(personal.preferences_url, 500),
        }
        cache: dict[str, bytes] = {}  # a value the same in both parts (most links) is encoded once
        body = [self._static_headers, headers, b"\r\n", self._text_head]
        body += self._text.fill({name: _encoded(values.get(name, ""), cache) for name in self._text_names})
        body.append(self._html_head)
        body += self._html.fill(
            {name: _encoded(html.escape(values.get(name, "")), cache) for name in self._html_names}
        )
        body.append(self._end)
        return b"".join(body), message_id


def _encoded(value: str, cache: dict[str, bytes]) -> bytes:
    found = cache.get(value)
    if found is None:
        found = cache[value] = encode_value(value)
    return found


_date: tuple[int, str] = (0, "")


def _now_header() -> str:
    """The Date header's value, formatted once a second rather than once a message."""
    global _date
    second = int(time.time())
    if _date[0] != second:
        _date = (second, date_header(second))
    return _date[1]


def address_of(header_value: str) -> str:
    """The bare address in a `Name <address>` header value."""
    return parseaddr(header_value)[1]
