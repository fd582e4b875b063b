"""The shared SMTP pace: workers share one count in Redis and wait their turn, at any accepted rate."""

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field, replace

from aiosmtpd.smtp import SMTP, Envelope, Session
from redis.asyncio import Redis

from newsletters.campaigns.pacing import RedisRate
from service.settings import Settings
from tests.conftest import Database
from tests.newsletters.conftest import Inbox, newsroom_for
from tests.newsletters.test_campaigns import add_partners, draft
from tests.private_servers import smtp_server


async def test_two_workers_share_one_messages_per_second_limit(redis: Redis) -> None:
    key = f"scmi-test:{secrets.token_hex(6)}:smtp-rate"
    now = [1_700_000_000.25]

    async def sleep(seconds: float) -> None:  # time passes only when a limiter waits
        now[0] += seconds

    workers = [RedisRate(redis, key, 4, clock=lambda: now[0], sleep=sleep) for _ in range(2)]
    granted = [await workers[n % 2].acquire() for n in range(11)]
    try:
        assert Counter(granted) == {1_700_000_000: 4, 1_700_000_001: 4, 1_700_000_002: 3}
        assert granted == sorted(granted)
        assert 0 < await redis.ttl(f"{key}:1700000002") <= 5  # counters expire by themselves
    finally:
        await redis.delete(*[f"{key}:{second}" for second in set(granted)])


async def test_a_rate_that_is_not_a_whole_number_keeps_its_fraction(redis: Redis) -> None:
    key = f"scmi-test:{secrets.token_hex(6)}:smtp-rate"
    now = [1_700_000_000.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RedisRate(redis, key, 2.5, clock=lambda: now[0], sleep=sleep)
    granted = [await limiter.acquire() for _ in range(10)]
    try:
        # Windows of 1.2 s with 3 messages each: 2.5 a second, not the 2 a per-second count of 2.5 gives.
        windows = sorted(set(granted))
        assert [Counter(granted)[window] for window in windows] == [3, 3, 3, 1]
        assert windows == list(range(windows[0], windows[0] + 4))
        assert limiter.window_ms == 1200
        # Ten messages take three whole windows and part of a fourth: 2.4 to 3.6 s from the first.
        assert 2.4 <= now[0] - 1_700_000_000.0 <= 3.6
    finally:
        await redis.delete(*[f"{key}:{window}" for window in set(granted)])


@dataclass
class Clocked(Inbox):
    """An inbox that notes when each message arrived."""

    arrived: list[float] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.arrived.append(time.monotonic())
        return await super().handle_DATA(server, session, envelope)


async def test_a_campaign_at_half_a_message_a_second_goes_out_one_message_every_two_seconds(
    settings: Settings, db: Database
) -> None:
    inbox = Clocked()
    people = [(f"reader{n}@example.org", "en", f"Reader {n}") for n in range(3)]
    with smtp_server(inbox) as url:
        async with newsroom_for(replace(settings, smtp_url=url, smtp_rate=0.5), db) as room:
            await add_partners(room, people)
            campaign = await draft(room, [])
            sent = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=room.admin)
            assert sent.status_code == 202, sent.text
            await asyncio.wait_for(room.run_jobs(), timeout=60)  # it used to wait for ever
            state = (await room.client.get(f"/api/v1/campaigns/{campaign['id']}", headers=room.admin)).json()
    assert (state["status"], state["counts"]["sent"]) == ("sent", 3), state
    assert sorted(rcpt for [rcpt] in inbox.recipients) == [address for address, _, _ in people]
    gaps = [later - earlier for earlier, later in zip(inbox.arrived, inbox.arrived[1:], strict=False)]
    assert len(gaps) == 2 and all(1.8 <= gap <= 3.0 for gap in gaps), gaps
