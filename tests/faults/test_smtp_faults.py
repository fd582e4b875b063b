"""A real `scmi worker` against a faulty SMTP server: down for 30 s, 451s, 550s, connections dropped in DATA."""

import time
from collections import Counter
from pathlib import Path

from newsletters.campaigns.ledger import MAX_ATTEMPTS
from newsletters.tables import Subscriber
from tests.faults.campaign_rig import (
    CONNECTIONS,
    Workers,
    add_recipients,
    campaign_status,
    fresh_postgres,
    hold,
    private_redis_server,
    schedule_campaign,
    smtp_sink,
    tally,
    wait_until,
    worker_env,
)
from tests.private_servers import CuttableProxy

OUTAGE = 30.0


async def test_an_smtp_server_down_for_30_s_mid_campaign_delays_the_campaign_and_loses_no_one(
    tmp_path: Path,
) -> None:
    recipients = 600
    async with fresh_postgres() as database_url:
        with private_redis_server(tmp_path) as redis_server, smtp_sink(tmp_path) as sink:
            proxy = CuttableProxy(sink.port)
            await proxy.start()
            await add_recipients([f"partner{n}@example.org" for n in range(recipients)])
            campaign_id = await schedule_campaign()
            # Retries after 5, 10, 20 and 40 s: the fourth try of a row deferred at the cut comes after
            # the server is back, well before the fifth and last.
            env = worker_env(
                database_url, redis_server.url, proxy.port, tmp_path, CAMPAIGN_RETRY_SECONDS="5,10,20,40"
            )
            workers = Workers(env, tmp_path / "workers.log")
            started = time.monotonic()
            workers.start()
            try:

                async def under_way() -> bool:
                    return sink.accepted_count() >= recipients // 4

                await wait_until(under_way, workers, 60, "a quarter received")
                await proxy.cut()
                cut_at = sink.accepted_count()
                await hold(workers, OUTAGE)
                during = sink.accepted_count() - cut_at
                await proxy.restore()

                async def sent() -> bool:
                    return await campaign_status(campaign_id) == "sent"

                await wait_until(sent, workers, 120, "the campaign sent")
            finally:
                workers.stop_all()
                await proxy.cut()
            seconds = time.monotonic() - started
            result = await tally(campaign_id, sink)
    retried = sum(1 for row in result.rows.values() if row["attempts"] > 1)
    print(f"[smtp down {OUTAGE:.0f} s] cut after {cut_at} received, {during} received while down, "
          f"{retried} recipients tried more than once")  # fmt: skip
    # A message whose 250 the cut swallowed is sent again: at most one per connection.
    result.show("smtp down", seconds, CONNECTIONS)
    # Messages already through the proxy when it was cut still reach the sink: one per connection.
    assert during <= CONNECTIONS
    assert result.losses == []
    assert result.by_status == {"sent": recipients}
    assert retried > 0
    assert result.duplicates <= CONNECTIONS
    assert result.sent_not_received == [] and result.received_not_sent == [] and result.wrong_message_id == []


async def test_451_550_and_connections_dropped_in_data_each_end_honestly(tmp_path: Path) -> None:
    groups = {"plain": 320, "flaky": 40, "gone": 20, "cut": 16, "dead": 4}  # 10% flaky: 451 once
    addresses = [f"{kind}-{n}@example.org" for kind, count in groups.items() for n in range(count)]
    async with fresh_postgres() as database_url:
        with private_redis_server(tmp_path) as redis_server, smtp_sink(tmp_path) as sink:
            await add_recipients(addresses)
            campaign_id = await schedule_campaign()
            workers = Workers(
                worker_env(database_url, redis_server.url, sink.port, tmp_path), tmp_path / "workers.log"
            )
            started = time.monotonic()
            workers.start()
            try:

                async def sent() -> bool:
                    return await campaign_status(campaign_id) == "sent"

                await wait_until(sent, workers, 120, "the campaign sent")
            finally:
                workers.stop_all()
            seconds = time.monotonic() - started
            result = await tally(campaign_id, sink)
            answers = Counter((event, address) for event, address, _ in sink.events())
            suppressed = {
                row["email"]: row["status"]
                for row in await Subscriber.select(Subscriber.email, Subscriber.status).where(
                    Subscriber.email.like("gone-%")
                )
            }
    result.show("smtp 451/550/cut", seconds)

    def of(kind: str) -> list[str]:
        return [address for address in addresses if address.startswith(f"{kind}-")]

    def fates(kind: str) -> set[tuple[str, int]]:
        return {(result.rows[a]["status"], result.rows[a]["attempts"]) for a in of(kind)}

    received = sink.received()
    assert result.losses == [] and result.duplicates == 0
    assert result.sent_not_received == [] and result.received_not_sent == [] and result.wrong_message_id == []
    # Plain recipients: once, first time.
    assert fates("plain") == {("sent", 1)}
    # 451 on the first try: deferred, then delivered once on the second.
    assert all(answers[("451", a)] == 1 and received[a] == 1 for a in of("flaky"))
    assert fates("flaky") == {("sent", 2)}
    # 550: bounced at the first try, never tried again, and the subscriber suppressed.
    assert all(answers[("550", a)] == 1 and received[a] == 0 for a in of("gone"))
    assert fates("gone") == {("bounced", 1)}
    assert suppressed == dict.fromkeys(of("gone"), "bounced")
    # Dropped after the data, before the answer: not counted as sent; tried again and delivered once.
    assert all(answers[("cut", a)] == 1 and received[a] == 1 for a in of("cut"))
    assert fates("cut") == {("sent", 2)}
    # Dropped on every try: failed after the last try, never counted as sent.
    assert all(answers[("cut", a)] == MAX_ATTEMPTS and received[a] == 0 for a in of("dead"))
    assert fates("dead") == {("failed", MAX_ATTEMPTS)}
    assert result.by_status == {
        "sent": groups["plain"] + groups["flaky"] + groups["cut"],
        "bounced": groups["gone"],
        "failed": groups["dead"],
    }


async def test_a_server_so_slow_that_a_batch_outlasts_its_lease_gets_no_duplicates(tmp_path: Path) -> None:
    recipients = 80
    async with fresh_postgres() as database_url:
        # 0.1 s a message, batches of 50, a 2 s lease: a batch would need 5 s, more than twice its lease.
        with private_redis_server(tmp_path) as redis_server, smtp_sink(tmp_path, delay=0.1) as sink:
            await add_recipients([f"partner{n}@example.org" for n in range(recipients)])
            campaign_id = await schedule_campaign()
            env = worker_env(database_url, redis_server.url, sink.port, tmp_path, CAMPAIGN_LEASE_SECONDS="2")
            workers = Workers(env, tmp_path / "workers.log")
            started = time.monotonic()
            workers.start()
            try:

                async def sent() -> bool:
                    return await campaign_status(campaign_id) == "sent"

                await wait_until(sent, workers, 120, "the campaign sent")
            finally:
                workers.stop_all()
            seconds = time.monotonic() - started
            result = await tally(campaign_id, sink)
    result.show("smtp slower than the lease", seconds, 0)
    assert result.losses == [] and result.duplicates == 0
    assert result.by_status == {"sent": recipients}
    assert result.sent_not_received == [] and result.received_not_sent == [] and result.wrong_message_id == []
