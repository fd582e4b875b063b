"""The bounce mailbox over POP3 and POP3S against a real dovecot (dovecot-pop3d): reports read and
deleted, what cannot be read left for people and not fetched again, TLS checked, the server down."""

from dataclasses import replace
from uuid import UUID

import pytest

from newsletters.bounces.effects import Rules
from newsletters.bounces.intake import read_mailbox
from newsletters.bounces.mailbox import MailboxDown, parse_mailbox_url
from newsletters.tables import Bounce, KeptMessage
from service.settings import Settings
from tasks.bounces import read_bounce_mailbox
from tests.conftest import Database
from tests.newsletters.bounces import samples
from tests.newsletters.bounces.conftest import Dovecot
from tests.newsletters.bounces.test_mailbox import KEY, PEOPLE, campaign, row_of, status_of, verp_of
from tests.private_servers import free_port

__all__ = ["campaign"]  # the fixture, shared with the IMAP tests


async def test_reports_are_read_and_deleted_and_the_rest_is_left_for_people(
    campaign: UUID, dovecot_pop3: Dovecot
) -> None:
    p1, p2, p3 = PEOPLE[:3]
    mid = str((await row_of(p3))["message_id"])
    hard = samples.postfix_dsn(await verp_of(p1), p1, "<unrelated@x>")
    dovecot_pop3.append(
        hard,
        samples.arf_complaint(await verp_of(p2), p2, mid),
        samples.gmail_dsn("newsroom@newsroom.test", p3, mid),
        samples.human_reply("newsroom@newsroom.test"),
        hard,  # the same report twice: counted once
    )
    result = await read_mailbox(dovecot_pop3.pop3_url, Rules(secret_key=KEY))
    assert (result.read, result.processed, result.unrecognised, result.duplicates) == (5, 3, 1, 1)
    assert [await status_of(p) for p in (p1, p2, p3)] == ["bounced", "complained", "bounced"]
    # POP3 has no folders: what was read is gone, the human's reply is still there for people.
    inbox = dovecot_pop3.folder("INBOX")
    assert len(inbox) == 1 and b"could you also send the annual report" in inbox[0]
    assert await KeptMessage.count() == 1

    # The next run does not fetch the kept message again; a new report is read.
    p4 = PEOPLE[3]
    dovecot_pop3.append(samples.exchange_dsn(await verp_of(p4), p4, "<x@y>"))
    again = await read_mailbox(dovecot_pop3.pop3_url, Rules(secret_key=KEY))
    assert (again.read, again.processed, again.unrecognised) == (1, 1, 0)
    assert await status_of(p4) == "bounced"
    assert await Bounce.count() == 4

    # Once people have dealt with it (deleted it in their mail client), it is forgotten.
    with dovecot_pop3.session() as client:
        client.select("INBOX")
        client.store("1:*", "+FLAGS", "(\\Deleted)")
        client.expunge()
    empty = await read_mailbox(dovecot_pop3.pop3_url, Rules(secret_key=KEY))
    assert empty.read == 0
    assert await KeptMessage.count() == 0


async def test_pop3s_checks_the_certificate(
    campaign: UUID, dovecot_pop3s: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    p1 = PEOPLE[0]
    dovecot_pop3s.append(samples.postfix_dsn(await verp_of(p1), p1, "<x@y>"))
    with pytest.raises(MailboxDown, match="CERTIFICATE_VERIFY_FAILED"):
        await read_mailbox(dovecot_pop3s.pop3_url, Rules(secret_key=KEY))
    assert await status_of(p1) == "active"
    assert len(dovecot_pop3s.folder("INBOX")) == 1
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot_pop3s.root / "cert.pem"))
    result = await read_mailbox(dovecot_pop3s.pop3_url, Rules(secret_key=KEY))
    assert result.processed == 1 and await status_of(p1) == "bounced"
    assert dovecot_pop3s.folder("INBOX") == []


async def test_a_wrong_password_or_no_server_is_a_mailbox_down(campaign: UUID, dovecot_pop3: Dovecot) -> None:
    p1 = PEOPLE[0]
    dovecot_pop3.append(samples.postfix_dsn(await verp_of(p1), p1, "<x@y>"))
    wrong = dovecot_pop3.pop3_url.replace("mailbox-secret", "wrong")
    with pytest.raises(MailboxDown):
        await read_mailbox(wrong, Rules(secret_key=KEY))
    settings = replace(Settings(), bounce_mailbox_url=f"pop3://u:p@127.0.0.1:{free_port()}")
    ran = await read_bounce_mailbox({"settings": settings})  # type: ignore[typeddict-item]
    assert ran is not None and "down" in ran
    assert len(dovecot_pop3.folder("INBOX")) == 1 and await status_of(p1) == "active"


def test_pop3_urls(db: Database) -> None:
    box = parse_mailbox_url("pop3s://bounce%40newsroom.test:p%40ss@pop.example.org")
    assert (box.protocol, box.host, box.port, box.username, box.password, box.implicit_tls) == (
        "pop3", "pop.example.org", 995, "bounce@newsroom.test", "p@ss", True
    )  # fmt: skip
    assert (
        parse_mailbox_url("pop3://u:p@localhost").port,
        parse_mailbox_url("pop3://u:p@localhost").implicit_tls,
    ) == (
        110,
        False,
    )
    assert parse_mailbox_url("pop3://u:p@localhost:1110/INBOX").port == 1110
    with pytest.raises(ValueError, match="POP3 has one mailbox"):
        parse_mailbox_url("pop3s://u:p@localhost/Bounces")
    for wrong in ("pop://u:p@host", "pop3s://host:995"):
        with pytest.raises(ValueError, match="BOUNCE_MAILBOX_URL"):
            parse_mailbox_url(wrong)
