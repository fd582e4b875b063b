"""An 8bit body declares BODY=8BITMIME to a server that offers it, and goes re-encoded 7-bit to one that does not."""

import email
import email.policy
from dataclasses import dataclass, field

from aiosmtpd.smtp import SMTP, Envelope, Session

from newsletters.mail.smtp import SmtpTransport, parse_smtp_url
from tests.private_servers import smtp_server

TEXT = "გამარჯობა, " + "ა" * 300 + "\r\nHello.\r\n"
EIGHT_BIT = (
    b"From: newsroom@newsroom.test\r\nTo: a@example.org\r\nSubject: hello\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' + TEXT.encode()
)


@dataclass
class Server:
    """A server that keeps what it got, and offers 8BITMIME or not."""

    offers_8bitmime: bool
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.offers_8bitmime:
            return responses
        return [line for line in responses if "8BITMIME" not in line]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append((list(envelope.mail_options), envelope.original_content or b""))
        return "250 accepted"


async def send_to(server: Server, message: bytes) -> tuple[list[str], bytes]:
    with smtp_server(server) as url:
        transport = SmtpTransport(parse_smtp_url(url))
        await transport.send("newsroom@newsroom.test", ["a@example.org"], message)
        await transport.close()
    [got] = server.received
    return got


def body_text(raw: bytes) -> str:
    content = email.message_from_bytes(raw, policy=email.policy.default).get_content()  # type: ignore[attr-defined]
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


async def test_an_8bit_body_is_declared_to_a_server_that_offers_8bitmime() -> None:
    options, raw = await send_to(Server(offers_8bitmime=True), EIGHT_BIT)
    assert "BODY=8BITMIME" in options
    assert body_text(raw) == TEXT.replace("\r\n", "\n")


async def test_an_8bit_body_goes_7bit_to_a_server_without_8bitmime() -> None:
    options, raw = await send_to(Server(offers_8bitmime=False), EIGHT_BIT)
    assert not any(option.upper().startswith("BODY=") for option in options)
    assert raw.isascii()
    assert all(len(line) <= 76 for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n"))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Content-Transfer-Encoding"] == "quoted-printable"
    assert body_text(raw) == TEXT.replace("\r\n", "\n")


async def test_a_7bit_message_declares_nothing() -> None:
    options, _ = await send_to(Server(offers_8bitmime=True), EIGHT_BIT.replace(TEXT.encode(), b"Hello.\r\n"))
    assert not any(option.upper().startswith("BODY=") for option in options)
