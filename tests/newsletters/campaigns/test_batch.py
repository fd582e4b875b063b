"""Delivery outcomes against a real SMTP server that answers 4xx and 5xx; pause, resume, cancel."""

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import dkim
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from core.db import utcnow
from newsletters.campaigns import ledger, states
from newsletters.campaigns.batch import BatchResult, send_batch
from newsletters.campaigns.config import SendingConfig
from newsletters.mail.smtp import SmtpTransport, parse_smtp_url
from newsletters.tables import Delivery, Subscriber
from service.settings import Settings
from tasks.context import sending_config
from tests.conftest import Database
from tests.newsletters.campaigns.helpers import campaign_in
from tests.newsletters.conftest import Inbox, Newsroom, newsroom_for
from tests.newsletters.test_campaigns import add_partners, draft
from tests.newsletters.test_dkim import key_pair as make_key_pair
from tests.private_servers import smtp_server


@dataclass
class Picky(Inbox):
    """An inbox whose server refuses some recipients: `temporary` with 451 (n times), `gone` with 550."""

    temporary: dict[str, int] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    raw: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.raw.append(envelope.original_content or b"")
        return await super().handle_DATA(server, session, envelope)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.gone:
            return "550 5.1.1 no such mailbox"
        if self.temporary.get(address, 0) > 0:
            self.temporary[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky() -> Iterator[tuple[Picky, str]]:
    inbox = Picky()
    with smtp_server(inbox) as url:
        yield inbox, url


@pytest.fixture
async def room(settings: Settings, db: Database, picky: tuple[Picky, str]) -> AsyncIterator[Newsroom]:
    async with newsroom_for(replace(settings, smtp_url=picky[1]), db) as newsroom:
        yield newsroom


async def started(room: Newsroom, people: list[tuple[str, str, str]]) -> tuple[UUID, int]:
    await add_partners(room, people)
    campaign = await draft(room, [])
    identity = UUID(campaign["id"])
    await states.request_send(identity, None, _site(room))
    round_ = await states.start_due(identity)
    assert round_ == 1
    assert await states.start_due(identity) is None  # a second start writes nothing twice
    return identity, round_


def _site(room: Newsroom) -> Any:
    from service.feeds.publisher import feed_site

    return feed_site(room.settings)


async def time_passes(campaign_id: UUID) -> None:
    """Make every deferred row due now (what waiting out the backoff would do)."""
    await Delivery.update({Delivery.next_attempt_at: utcnow() - timedelta(seconds=1)}).where(
        (Delivery.campaign == campaign_id) & (Delivery.status == "deferred")
    )


async def batch(identity: UUID, round_: int, config: SendingConfig, url: str) -> BatchResult:
    """One batch over a connection of its own to the test's SMTP server."""
    transport = SmtpTransport(parse_smtp_url(url))
    try:
        return await send_batch(identity, round_, config, transport)
    finally:
        await transport.close()


def people(*addresses: str) -> list[tuple[str, str, str]]:
    return [(address, "en", "") for address in addresses]


async def test_4xx_is_retried_with_backoff_5xx_bounces_the_subscriber(
    room: Newsroom, picky: tuple[Picky, str]
) -> None:
    inbox, url = picky
    inbox.temporary = {"later@example.org": 1, "never@example.org": 99}
    inbox.gone = {"gone@example.org"}
    identity, round_ = await started(
        room, people("ok@example.org", "later@example.org", "gone@example.org", "never@example.org")
    )
    config = SendingConfig(public_url=room.settings.public_url)

    result = await batch(identity, round_, config, url)
    assert (result.sent, result.deferred, result.bounced) == (1, 2, 1)
    counts = await ledger.counts(identity)
    assert (counts.recipients, counts.sent, counts.bounced, counts.pending) == (4, 1, 1, 2)
    gone = await Subscriber.select(Subscriber.status).where(Subscriber.email == "gone@example.org").first()
    assert gone == {"status": "bounced"}
    later = await Delivery.select().where(Delivery.email == "later@example.org").first()
    assert later is not None and later["status"] == "deferred" and later["attempts"] == 1
    assert "451" in later["error"]
    wait = later["next_attempt_at"].replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)

    # Not due yet: nothing is claimed, and the campaign is not finished.
    assert (await batch(identity, round_, config, url)).claimed == 0
    assert not await states.finish_if_done(identity)

    await time_passes(identity)
    result = await batch(identity, round_, config, url)
    assert (result.sent, result.deferred) == (1, 1)
    backoff = await Delivery.select().where(Delivery.email == "never@example.org").first()
    assert backoff is not None
    wait = backoff["next_attempt_at"].replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(minutes=4) < wait <= timedelta(minutes=5)  # the second backoff step

    for _ in range(3):
        await time_passes(identity)
        await batch(identity, round_, config, url)
    never = await Delivery.select().where(Delivery.email == "never@example.org").first()
    assert never is not None and (never["status"], never["attempts"]) == ("failed", 5)
    counts = await ledger.counts(identity)
    assert (counts.sent, counts.failed, counts.bounced, counts.pending) == (2, 1, 1, 0)
    assert await states.finish_if_done(identity)
    assert [len(inbox.to(a)) for a in ("ok@example.org", "later@example.org", "gone@example.org")] == [
        1,
        1,
        0,
    ]
    assert len(inbox.messages) == 2


async def test_pause_resume_and_cancel_take_effect_at_the_next_batch(
    room: Newsroom, picky: tuple[Picky, str]
) -> None:
    inbox, url = picky
    addresses = [f"p{n}@example.org" for n in range(7)]
    identity, round_ = await started(room, people(*addresses))
    config = SendingConfig(public_url=room.settings.public_url, batch_size=2)
    base = f"/api/v1/campaigns/{identity}"

    assert (await batch(identity, round_, config, url)).sent == 2
    paused = await room.post(f"{base}/pause", headers=room.admin)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert (await batch(identity, round_, config, url)).claimed == 0
    assert (await room.post(f"{base}/pause", headers=room.admin)).status_code == 409

    resumed = await room.post(f"{base}/resume", headers=room.admin)
    assert resumed.status_code == 200 and resumed.json()["status"] == "sending"
    stale = await batch(identity, round_, config, url)  # a job of the paused round stops
    assert (stale.status, stale.claimed) == ("stale", 0)
    assert (await batch(identity, round_ + 1, config, url)).sent == 2

    cancelled = await room.post(f"{base}/cancel", headers=room.admin)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await batch(identity, round_ + 1, config, url)).claimed == 0
    assert (await room.post(f"{base}/resume", headers=room.admin)).status_code == 409
    state = (await room.client.get(base, headers=room.admin)).json()
    assert state["counts"] == {
        "recipients": 7,
        "sent": 4,
        "failed": 0,
        "bounced": 0,
        "pending": 3,
        "skipped": 0,
        "complained": 0,
    }
    assert len(inbox.messages) == 4
    assert len({tuple(r) for r in inbox.recipients}) == 4


async def test_scmi_campaigns_watch_by_id_or_slug_and_campaigns_list(
    room: Newsroom, picky: tuple[Picky, str]
) -> None:
    inbox, url = picky
    inbox.gone = {"gone@example.org"}
    identity, round_ = await started(room, people("a@example.org", "b@example.org", "gone@example.org"))
    await batch(identity, round_, SendingConfig(public_url=room.settings.public_url), url)
    assert await states.finish_if_done(identity)
    env = {
        **os.environ,
        "DATABASE_URL": room.settings.resolved_database_url,
        "DATA_DIR": str(room.settings.data_dir),
    }
    slug = (await states.get_campaign(identity)).slug
    for ref in (str(identity), slug):  # by its id or by its slug
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "scmi"), "campaigns", "watch", ref,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        assert (
            "sent: 3 recipients, 2 sent, 0 failed, 1 bounced, 0 complained, 0 pending, 0 skipped"
            in out.decode()
        )
        # Without a terminal click prints the bar's label alone (the bar itself draws on a TTY).
        assert out.decode().startswith(slug)
    newer = await states.create_campaign(
        campaign_in(slug="next-one", subject={"ka": "შემდეგი", "en": "Next"})
    )
    listed = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "scmi"), "campaigns", "list",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await listed.communicate()
    assert listed.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{newer.slug}  draft")  # newest first
    assert "შემდეგი / Next" in lines[0] and "(0 recipients, 0 sent" in lines[0]
    assert lines[1].startswith(f"{slug}  sent") and "3 recipients, 2 sent, 0 failed, 1 bounced" in lines[1]
    unknown = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "scmi"), "campaigns", "watch", "no-such-campaign",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await unknown.communicate()
    assert unknown.returncode == 1 and "no campaign 'no-such-campaign'" in err.decode()
    assert "Traceback" not in err.decode()


dkim_keys = pytest.fixture(scope="module")(make_key_pair.__wrapped__)  # type: ignore[attr-defined]


async def test_campaign_mail_is_dkim_signed_when_a_key_is_configured(
    room: Newsroom, picky: tuple[Picky, str], dkim_keys: tuple[bytes, bytes], tmp_path: Path
) -> None:
    inbox, url = picky
    private_pem, public_b64 = dkim_keys
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(private_pem)
    settings = replace(
        room.settings,
        smtp_url=url,
        dkim_domain="newsroom.test",
        dkim_selector="news",
        dkim_private_key_file=str(key_file),
    )
    identity, round_ = await started(room, [("nino@example.ge", "ka", "ნინო ბერიძე")])
    assert (await batch(identity, round_, sending_config(settings), url)).sent == 1

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        return b"v=DKIM1; k=rsa; p=" + public_b64 if name == b"news._domainkey.newsroom.test." else None

    [raw] = inbox.raw
    assert raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(raw, dnsfunc=dns)
    assert b"</body>" in raw  # the body is quoted-printable: tamper with what travels as it is
    assert not dkim.verify(raw.replace(b"</body>", b"</bodx>"), dnsfunc=dns)


async def test_who_left_after_the_ledger_was_written_is_skipped_and_erasure_empties_the_ledger(
    room: Newsroom, picky: tuple[Picky, str]
) -> None:
    inbox, url = picky
    identity, round_ = await started(
        room, people("stays@example.org", "leaves@example.org", "erased@example.org")
    )
    rows = {row["email"]: row for row in await Delivery.select().where(Delivery.campaign == identity)}
    left = await room.post(
        f"/subscriptions/unsubscribe/{rows['leaves@example.org']['token']}",
        headers={"Accept": "application/json"},
    )
    assert left.status_code == 200, left.text
    erased = await room.client.delete(
        f"/api/v1/subscribers/{rows['erased@example.org']['subscriber']}", headers=room.admin
    )
    assert erased.status_code in {200, 204}, erased.text

    result = await batch(identity, round_, SendingConfig(public_url=room.settings.public_url), url)
    assert result.sent == 1
    assert [rcpt for rcpt in inbox.recipients] == [["stays@example.org"]]
    counts = await ledger.counts(identity)
    assert (counts.recipients, counts.sent, counts.skipped, counts.pending) == (3, 1, 2, 0)
    assert await states.finish_if_done(identity)
    erased_row = (
        await Delivery.select().where(Delivery.subscriber == rows["erased@example.org"]["subscriber"]).first()
    )
    assert erased_row is not None and (erased_row["email"], erased_row["name"], erased_row["token"]) == (
        "",
        "",
        "",
    )


@dataclass
class Sluggish(Inbox):
    """An inbox that takes 50 ms to accept each message."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


async def test_a_batch_stops_before_its_lease_runs_out_and_gives_the_rest_back(room: Newsroom) -> None:
    inbox = Sluggish()
    addresses = [f"s{n}@example.org" for n in range(10)]
    identity, round_ = await started(room, people(*addresses))
    with smtp_server(inbox) as url:
        # A 0.4 s lease: the batch stops sending after 0.2 s; ten messages would take at least 0.5 s.
        config = SendingConfig(public_url=room.settings.public_url, lease=timedelta(seconds=0.4))
        result = await batch(identity, round_, config, url)
    assert result.claimed == 10 and 1 <= result.sent < 10
    rows = await Delivery.select(Delivery.status, Delivery.attempts).where(Delivery.campaign == identity)
    assert sorted((row["status"], row["attempts"]) for row in rows) == sorted(
        [("sent", 1)] * result.sent + [("pending", 0)] * (10 - result.sent)
    )
    assert len(inbox.messages) == result.sent
