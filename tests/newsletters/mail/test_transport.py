"""The one mail transport: a connection kept for many messages, reopened after a drop; refusals told apart."""

import email
import email.policy
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from newsletters.mail.errors import SendFailed
from newsletters.mail.smtp import SmtpTransport, parse_smtp_url
from newsletters.mail.transport import mail_route
from tests.private_servers import free_port, smtp_server

MESSAGE = b"From: newsroom@newsroom.test\r\nTo: a@example.org\r\nSubject: hello\r\n\r\nHello.\r\n"


@dataclass
class Counting:
    """A server that notes which session each message came over, and refuses some recipients."""

    sessions: list[int] = field(default_factory=list)
    options: list[list[str]] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.sessions.append(id(session))
        self.options.append(list(envelope.mail_options))
        return "250 accepted"


async def test_one_connection_carries_a_batch_and_is_reopened_after_the_server_dropped_it() -> None:
    server = Counting()
    with smtp_server(server, enable_SMTPUTF8=True) as url:
        transport = SmtpTransport(parse_smtp_url(url))
        for _ in range(3):
            await transport.send("newsroom@newsroom.test", ["a@example.org"], MESSAGE)
        assert len(set(server.sessions)) == 1
        assert transport.client is not None
        transport.client.close()  # the server hangs up between two messages
        await transport.send("newsroom@newsroom.test", ["ნინო@example.ge"], MESSAGE)
        await transport.close()
        await transport.close()  # closing twice is harmless
    assert len(server.sessions) == 4 and len(set(server.sessions)) == 2
    assert (
        "SMTPUTF8" not in server.options[0] and "SMTPUTF8" in server.options[-1]
    )  # only for a UTF-8 address


async def test_a_5xx_is_permanent_a_4xx_and_an_unreachable_server_are_not() -> None:
    server = Counting(
        answers={"gone@example.org": "550 5.1.1 no such mailbox", "busy@example.org": "451 later"}
    )
    with smtp_server(server) as url:
        transport = SmtpTransport(parse_smtp_url(url))
        with pytest.raises(SendFailed) as gone:
            await transport.send("newsroom@newsroom.test", ["gone@example.org"], MESSAGE)
        with pytest.raises(SendFailed) as busy:
            await transport.send("newsroom@newsroom.test", ["busy@example.org"], MESSAGE)
        await transport.send("newsroom@newsroom.test", ["a@example.org"], MESSAGE)  # the connection is fine
        await transport.close()
    assert gone.value.permanent and "550" in str(gone.value)
    assert not busy.value.permanent and "451" in str(busy.value)
    assert len(set(server.sessions)) == 1
    nowhere = SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{free_port()}"), timeout=2)
    with pytest.raises(SendFailed) as down:
        await nowhere.send("newsroom@newsroom.test", ["a@example.org"], MESSAGE)
    assert not down.value.permanent


async def test_the_outbox_route_writes_each_message_to_its_own_file(tmp_path: Path) -> None:
    transport = mail_route(None, tmp_path / "outbox").transport()
    await transport.open()
    for _ in range(2):
        await transport.send("newsroom@newsroom.test", ["a@example.org"], MESSAGE)
    await transport.close()
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "hello"
    (tmp_path / "blocked").write_text("a file where the outbox directory should be")
    with pytest.raises(SendFailed):
        await (
            mail_route(None, tmp_path / "blocked")
            .transport()
            .send("n@newsroom.test", ["a@example.org"], MESSAGE)
        )
