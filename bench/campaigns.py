"""Campaign throughput: 10,000 subscribers mailed to a local SMTP sink by the real jobs, against a bare loop.

Run: `.venv/bin/python -m bench.campaigns [SUBSCRIBERS] [--postgres]`. The sink is aiosmtpd's own
`Sink` handler in a child process (so it does not share our CPU time slice's GIL); Redis is the one
at 127.0.0.1:6379 under a random queue name, or the in-process stand-in when none answers. It prints
the ledger write time, the engine's messages per second and peak resident memory, and the rate of
a bare aiosmtplib loop sending the same prepared messages over the same number of connections.
"""

import asyncio
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib
import asyncpg
from arq.connections import ArqRedis, RedisSettings, create_pool

from content.db import write_transaction
from content.feeds.links import FeedSite
from newsletters import campaigns
from newsletters.bulk import bulk_insert
from newsletters.campaign_schemas import CampaignIn, Counts
from newsletters.lists import create_list
from newsletters.schemas import ListIn, Names
from newsletters.sending import personal, prepare
from newsletters.tables import Campaign, Delivery, MailingList, Membership, Subscriber
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine
from service.settings import Settings
from tasks.campaigns import enqueue_slots
from tasks.queue import connect_queue
from tasks.worker import build_worker

NAMES = ["ნინო ბერიძე", "Giorgi Maisuradze", "თამარ კაპანაძე", "Levan Javakhishvili"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_sink(port: int) -> subprocess.Popen[bytes]:
    sink = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise RuntimeError("the SMTP sink did not start")


async def add_subscribers(count: int) -> None:
    """Active subscribers on `partners`, written with the drivers' bulk paths."""
    await create_list(ListIn(slug="partners", name=Names(ka="პარტნიორები", en="Partners")))
    found = await MailingList.select(MailingList.id).where(MailingList.slug == "partners").first()
    assert found is not None
    list_id = found["id"]
    now = datetime.now(UTC)
    people, places = [], []
    for number in range(count):
        person = uuid.uuid4()
        lang = "ka" if number % 3 else "en"
        address = f"person{number}@example.ge"
        token = secrets.token_urlsafe(32)
        people.append(
            (person, secrets.token_hex(16), address, NAMES[number % 4], lang, "active", token, now, now)
        )
        places.append((uuid.uuid4(), person, list_id, "active", now, now, now))
    async with write_transaction(Subscriber):
        await bulk_insert(
            Subscriber,
            ("id", "address_key", "email", "name", "lang", "status", "token", "created_at", "updated_at"),
            people,
        )
        await bulk_insert(
            Membership,
            ("id", "subscriber", "mailing_list", "status", "created_at", "updated_at", "subscribed_at"),
            places,
        )


async def queue_pool() -> tuple[ArqRedis, str]:
    name = f"scmi-bench:{secrets.token_hex(4)}"
    try:
        pool = await create_pool(RedisSettings(conn_timeout=1, conn_retries=0), default_queue_name=name)
        await pool.ping()
        return pool, "redis 127.0.0.1:6379"
    except (OSError, ConnectionError, Exception):
        return await connect_queue(None), "in-process stand-in"


async def bare_loop(messages: list[tuple[str, bytes]], port: int, connections: int) -> float:
    """Seconds for plain aiosmtplib to send the prepared messages over `connections` connections."""

    async def one(share: list[tuple[str, bytes]]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        for address, message in share:
            await client.sendmail("newsroom@newsroom.test", [address], message)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(one(messages[n::connections]) for n in range(connections)))
    return time.perf_counter() - started


async def run(url: str, count: int) -> None:
    engine = engine_from_url(url)
    bind_engine(engine)
    await prepare_engine(engine)
    await migrate(quiet=True)
    port = free_port()
    sink = start_sink(port)
    pool, redis_kind = await queue_pool()
    try:
        await add_subscribers(count)
        settings = replace(
            Settings(),
            smtp_url=f"smtp://127.0.0.1:{port}",
            public_url="https://newsroom.test",
            smtp_connections=int(os.environ.get("SMTP_CONNECTIONS", "2")),
            campaign_batch_size=int(os.environ.get("CAMPAIGN_BATCH_SIZE", "200")),
        )
        draft = await campaigns.create_campaign(
            CampaignIn(
                template="newsletter",
                subject={"ka": "ბიულეტენი", "en": "Newsletter"},
                intro={"ka": "სიახლეები.", "en": "News."},
                lists=["partners"],
                from_name="SCMI",
                from_address="newsroom@newsroom.test",
            )
        )
        site = FeedSite(public_url=settings.public_url, website_url=settings.public_url)
        await campaigns.request_send(draft.id, None, site)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        round_ = await campaigns.start_due(draft.id)
        assert round_ is not None
        ledger_seconds = time.perf_counter() - started
        await enqueue_slots(pool, settings, draft.id, round_, "bench")
        worker = build_worker(pool, {"settings": settings}, burst=True, with_cron=False, handle_signals=False)
        started = time.perf_counter()
        await worker.main()
        engine_seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        state = await campaigns.get_campaign(draft.id)
        counts = state.counts
        assert state.status == "sent", state
        assert counts == Counts(recipients=count, sent=count), counts  # nothing failed, pending or skipped

        # The same messages, prepared up front, sent by a bare loop to the same sink.
        row = await Campaign.select().output(load_json=True).where(Campaign.id == draft.id).first()
        assert row is not None
        prepared = await prepare(row, settings.public_url)
        rows = await Delivery.select(Delivery.email, Delivery.lang, Delivery.name, Delivery.token).where(
            Delivery.campaign == draft.id
        )
        messages = [
            (
                r["email"],
                prepared[r["lang"]].personalise(
                    r["email"], personal(settings.public_url, r["name"], r["token"])
                )[0],
            )
            for r in rows
        ]
        bare_seconds = await bare_loop(messages, port, settings.smtp_connections)
        engine_rate, bare_rate = count / engine_seconds, count / bare_seconds
        print(
            f"{engine.engine_type:<9} {count} recipients, queue on {redis_kind}, "
            f"{settings.smtp_connections} connections, batches of {settings.campaign_batch_size}\n"
            f"  ledger written in {ledger_seconds:.2f} s\n"
            f"  engine  {engine_rate:8,.0f} msg/s ({engine_seconds:.1f} s), {counts.sent} sent, 0 pending\n"
            f"  bare    {bare_rate:8,.0f} msg/s ({bare_seconds:.1f} s), aiosmtplib, same connections\n"
            f"  ratio   engine/bare = {engine_rate / bare_rate:.2f}\n"
            f"  peak RSS of the worker process {peak / 1024:.0f} MB (before: {rss_before / 1024:.0f} MB)"
        )
    finally:
        sink.terminate()
        sink.wait()
        await pool.aclose()
        await close_engine(engine)


async def amain(count: int, postgres: bool) -> None:
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            await run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", count)
        return
    admin_url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"scmi_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await run(admin_url.rpartition("/")[0] + f"/{name}", count)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> int:
    args = [arg for arg in sys.argv[1:] if arg.isdigit()]
    asyncio.run(amain(int(args[0]) if args else 10_000, "--postgres" in sys.argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
