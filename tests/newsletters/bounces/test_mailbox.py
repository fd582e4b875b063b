"""The bounce mailbox job against a real dovecot: every report shape, matching, duplicates, junk, down."""

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest

from core.db import utcnow
from newsletters.bounces.effects import Rules
from newsletters.bounces.intake import read_mailbox
from newsletters.bounces.mailbox import MailboxDown, parse_mailbox_url
from newsletters.bounces.verp import return_path
from newsletters.tables import Bounce, Delivery, Subscriber
from service.settings import Settings
from tasks.bounces import read_bounce_mailbox
from tasks.worker import CRON_JOBS
from tests.conftest import Database
from tests.newsletters.bounces import samples
from tests.newsletters.bounces.conftest import Dovecot
from tests.newsletters.campaigns.helpers import sending_campaign
from tests.private_servers import free_port

KEY = "test-key"  # the helpers' subscribers are keyed with it
DOMAIN = "bounces.newsroom.test"
PEOPLE = [f"p{n}@partner.example" for n in range(1, 7)]


@pytest.fixture
async def campaign(db: Database) -> UUID:
    """A started campaign to six people whose ledger rows carry message ids, as if sent."""
    campaign_id = await sending_campaign(*PEOPLE)
    for row in await Delivery.select(Delivery.id, Delivery.email).where(Delivery.campaign == campaign_id):
        await Delivery.update(
            {
                Delivery.status: "sent",
                Delivery.message_id: f"<{row['id']}@newsroom.test>",
                Delivery.sent_at: utcnow(),
            }
        ).where(Delivery.id == row["id"])
    return campaign_id


async def row_of(address: str) -> dict[str, object]:
    row = await Delivery.select().where(Delivery.email == address).first()
    assert row is not None
    return row


async def status_of(address: str) -> str:
    row = await Subscriber.select(Subscriber.status).where(Subscriber.email == address).first()
    assert row is not None
    return str(row["status"])


async def verp_of(address: str) -> str:
    row = await row_of(address)
    return return_path(KEY, DOMAIN, "d", UUID(str(row["id"])))


async def test_every_shape_is_matched_by_verp_message_id_or_address(campaign: UUID, dovecot: Dovecot) -> None:
    p1, p2, p3, p4, p5, p6 = PEOPLE
    mid = {address: str((await row_of(address))["message_id"]) for address in PEOPLE}
    dovecot.append(
        samples.postfix_dsn(await verp_of(p1), p1, "<unrelated@x>"),  # by VERP only
        samples.exchange_dsn(await verp_of(p2), p2, mid[p2]),
        samples.gmail_dsn("newsroom@newsroom.test", p3, mid[p3]),  # no VERP: by the ledger's Message-ID
        samples.exim_plain("newsroom@newsroom.test", p4, "<unknown@elsewhere>"),  # by the recipient alone
        samples.postfix_dsn(await verp_of(p5), p5, mid[p5], status="4.2.2", action="delayed"),
        samples.arf_complaint(await verp_of(p6), p6, mid[p6]),
        samples.vacation_reply(await verp_of(p1)),
        samples.human_reply("newsroom@newsroom.test"),
        samples.JUNK,
    )
    result = await read_mailbox(dovecot.url, Rules(secret_key=KEY))
    assert (result.read, result.processed, result.unrecognised, result.duplicates) == (9, 6, 3, 0)
    assert result.effects == {"bounced": 4, "counted": 1, "complained": 1}
    assert [await status_of(p) for p in PEOPLE] == ["bounced"] * 4 + ["active", "complained"]
    outcomes = [(await row_of(p))["late_outcome"] for p in PEOPLE]
    assert outcomes == ["hard"] * 4 + ["soft", "complaint"]
    for address in PEOPLE:
        bounce = await Bounce.select().where(Bounce.email == address).first()
        assert bounce is not None and bounce["campaign"] == campaign
        assert bounce["delivery"] == (await row_of(address))["id"]
    assert dovecot.folder("INBOX") == []
    assert len(dovecot.folder("Processed")) == 6
    kept = dovecot.folder("Unrecognised")
    assert len(kept) == 3 and any(b"Out of office" in message for message in kept)


async def test_the_same_report_read_twice_counts_once(campaign: UUID, dovecot: Dovecot) -> None:
    p5 = PEOPLE[4]
    soft = samples.postfix_dsn(
        await verp_of(p5), p5, "<x@y>", status="4.2.2", action="delayed", report_id="<r1@mx>"
    )
    dovecot.append(soft, soft)
    first = await read_mailbox(dovecot.url, Rules(secret_key=KEY, soft_limit=2))
    assert (first.processed, first.duplicates) == (1, 1)
    # The move was lost (a crash after the commit): the report is read again, and only filed.
    dovecot.append(soft)
    again = await read_mailbox(dovecot.url, Rules(secret_key=KEY, soft_limit=2))
    assert (again.processed, again.duplicates) == (0, 1)
    assert await Bounce.count().where(Bounce.kind == "soft") == 1
    assert await status_of(p5) == "active"  # one soft bounce of the two it takes


async def test_a_mailbox_that_is_down_loses_nothing_and_the_next_run_reads_it(
    campaign: UUID, dovecot: Dovecot
) -> None:
    p1 = PEOPLE[0]
    dovecot.append(samples.postfix_dsn(await verp_of(p1), p1, "<x@y>"))
    dovecot.stop()
    with pytest.raises(MailboxDown):
        await read_mailbox(dovecot.url, Rules(secret_key=KEY))
    assert await status_of(p1) == "active"
    dovecot.start()
    wrong = dovecot.url.replace("mailbox-secret", "wrong-password")
    with pytest.raises(MailboxDown):
        await read_mailbox(wrong, Rules(secret_key=KEY))
    assert len(dovecot.folder("INBOX")) == 1
    result = await read_mailbox(dovecot.url, Rules(secret_key=KEY))
    assert result.processed == 1 and await status_of(p1) == "bounced"


async def test_the_job_fails_softly_when_nothing_listens(db: Database) -> None:
    settings = replace(Settings(), bounce_mailbox_url=f"imap://u:p@127.0.0.1:{free_port()}/INBOX")
    ran = await read_bounce_mailbox({"settings": settings})  # type: ignore[typeddict-item]
    assert ran is not None and "down" in ran
    assert await read_bounce_mailbox({"settings": Settings()}) is None  # type: ignore[typeddict-item]


def test_mailbox_urls() -> None:
    box = parse_mailbox_url("imaps://bounce%40newsroom.test:p%40ss@imap.example.org/Bounces")
    assert (box.host, box.port, box.username, box.password, box.implicit_tls, box.folder) == (
        "imap.example.org", 993, "bounce@newsroom.test", "p@ss", True, "Bounces"
    )  # fmt: skip
    assert parse_mailbox_url("imap://u:p@localhost").port == 143
    assert parse_mailbox_url("imap://u:p@localhost").folder == "INBOX"
    for wrong in ("pop://u:p@host", "imaps://host:993", "https://u:p@host"):
        with pytest.raises(ValueError, match="BOUNCE_MAILBOX_URL"):
            parse_mailbox_url(wrong)


async def test_soft_bounces_outside_the_window_do_not_add_up(campaign: UUID, dovecot: Dovecot) -> None:
    p5 = PEOPLE[4]
    rules = Rules(secret_key=KEY, soft_limit=3)
    start = utcnow()
    for days, expected in ((0, "active"), (31, "active"), (45, "active"), (50, "bounced")):
        soft = samples.postfix_dsn(await verp_of(p5), p5, "<x@y>", status="4.2.2", action="delayed")
        dovecot.append(soft)
        await read_mailbox(dovecot.url, rules, now=start + timedelta(days=days))
        assert await status_of(p5) == expected, days


async def test_a_message_too_large_to_be_a_report_is_kept_unread(campaign: UUID, dovecot: Dovecot) -> None:
    p1 = PEOPLE[0]
    report = samples.postfix_dsn(await verp_of(p1), p1, "<x@y>")
    dovecot.append(report + b"\r\n" + b"x" * 4000 + b"\r\n")
    result = await read_mailbox(dovecot.url, Rules(secret_key=KEY), max_bytes=len(report) + 100)
    assert (result.processed, result.unrecognised) == (0, 1)
    assert await status_of(p1) == "active"
    assert len(dovecot.folder("Unrecognised")) == 1


def test_the_worker_reads_the_mailbox_every_minute() -> None:
    [job] = [job for job in CRON_JOBS if job.name == "cron:read_bounce_mailbox"]
    assert job.second == 50 and job.minute is None and job.run_at_startup


async def test_a_report_naming_only_an_address_we_never_mailed_changes_nothing(
    campaign: UUID, dovecot: Dovecot
) -> None:
    p1 = PEOPLE[0]
    await Delivery.update({Delivery.status: "skipped"}).where(Delivery.email == p1)  # never mailed
    # Anyone can write to the mailbox: a made-up report with no token and no Message-ID of ours.
    dovecot.append(samples.exim_plain("newsroom@newsroom.test", p1, "<made-up@attacker.example>"))
    result = await read_mailbox(dovecot.url, Rules(secret_key=KEY))
    assert result.effects == {"none": 1}
    assert await status_of(p1) == "active"


async def test_imaps_checks_the_certificate(
    campaign: UUID, dovecot_tls: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    p1 = PEOPLE[0]
    dovecot_tls.append(samples.postfix_dsn(await verp_of(p1), p1, "<x@y>"))
    # A certificate nobody vouches for is refused: the password never goes to an impostor.
    with pytest.raises(MailboxDown, match="CERTIFICATE_VERIFY_FAILED"):
        await read_mailbox(dovecot_tls.url, Rules(secret_key=KEY))
    assert await status_of(p1) == "active"
    # Once the system trusts it (as it trusts a real mail host's), the mailbox is read over TLS.
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot_tls.root / "cert.pem"))
    result = await read_mailbox(dovecot_tls.url, Rules(secret_key=KEY))
    assert result.processed == 1 and await status_of(p1) == "bounced"
