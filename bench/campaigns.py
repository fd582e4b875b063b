"""Campaign throughput and memory: the real worker against a bare aiosmtplib loop, both in child processes.

Run: `.venv/bin/python -m bench.campaigns [--quick] [RECIPIENTS] [--no-scale]`. PostgreSQL at
TEST_POSTGRES_URL (a throwaway database) and Redis at 127.0.0.1:6379 under a random queue name.
The sink is aiosmtpd's own `Sink` in a child process. Each round sends a new campaign to the same
subscribers with the worker in a child process (ledger written by its `start_campaign` job, then
batches in burst mode), then sends the same messages, prepared up front, with a bare aiosmtplib
loop in a child process over the same number of connections; the rate ratio is the median of the
rounds' ratios (each pair ran back to back, so a busy machine slows both alike). The worker
reports its own peak resident set (VmHWM). Full mode then grows the list to 100,000 and sends one
more campaign for the memory comparison.
"""

import asyncio
import json
import os
import pickle
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import aiosmtplib
import asyncpg
from arq.connections import RedisSettings, create_pool

from bench.servers import free_port
from bench.table import Figure
from content.feeds.links import FeedSite
from core.db import write_transaction
from newsletters.bulk import bulk_insert
from newsletters.campaign_schemas import CampaignIn, Counts
from newsletters.campaigns import states
from newsletters.campaigns.editions import personal, prepare
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, Names
from newsletters.tables import Campaign, Delivery, MailingList, Membership, Subscriber
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine
from service.settings import Settings

NAMES = ["ნინო ბერიძე", "Giorgi Maisuradze", "თამარ კაპანაძე", "Levan Javakhishvili"]
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
CONNECTIONS = int(os.environ.get("SMTP_CONNECTIONS", "2"))
BATCH = int(os.environ.get("CAMPAIGN_BATCH_SIZE", "200"))


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


def peak_rss_mb() -> float:
    """This process's peak resident set so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def bench_settings(database_url: str, smtp_port: int) -> Settings:
    return replace(
        Settings(),
        database_url=database_url,
        redis_url=REDIS_URL,
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        public_url="https://newsroom.test",
        smtp_connections=CONNECTIONS,
        campaign_batch_size=BATCH,
    )


# ---- the child processes -------------------------------------------------------------------------


async def worker_child(database_url: str, queue: str, smtp_port: int, campaign_id: str) -> dict[str, Any]:
    """In the worker process: write the ledger (start_campaign), send every batch, report time and memory."""
    from tasks.campaigns import start_campaign
    from tasks.context import job_context
    from tasks.worker import build_worker

    settings = bench_settings(database_url, smtp_port)
    engine = engine_from_url(database_url)
    bind_engine(engine)
    await prepare_engine(engine)
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=queue)
    try:
        ctx = job_context(settings, pool)
        before = peak_rss_mb()
        started = time.perf_counter()
        assert await start_campaign(ctx, campaign_id)
        ledger_seconds = time.perf_counter() - started
        worker = build_worker(pool, settings, burst=True, with_cron=False, handle_signals=False)
        started = time.perf_counter()
        await worker.main()
        send_seconds = time.perf_counter() - started
        await worker.close()
    finally:
        await pool.aclose()
        await close_engine(engine)
    return {"ledger": ledger_seconds, "send": send_seconds, "peak_mb": peak_rss_mb(), "start_mb": before}


async def bare_child(messages: list[tuple[str, bytes]], smtp_port: int, connections: int) -> dict[str, Any]:
    """Seconds for plain aiosmtplib to send the prepared messages over `connections` connections."""

    async def one(share: list[tuple[str, bytes]]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port, start_tls=False)
        await client.connect()
        for address, message in share:
            await client.sendmail("newsroom@newsroom.test", [address], message)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(one(messages[n::connections]) for n in range(connections)))
    return {"send": time.perf_counter() - started}


def run_child(*args: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.campaigns", "--child", *args], capture_output=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{done.stderr.decode()[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return answer


# ---- the parent ------------------------------------------------------------------------------------


async def add_subscribers(count: int, first: int = 0) -> None:
    """Active subscribers on `partners`, written with the drivers' bulk paths."""
    found = await MailingList.select(MailingList.id).where(MailingList.slug == "partners").first()
    assert found is not None
    list_id = found["id"]
    now = datetime.now(UTC)
    for start in range(first, first + count, 10_000):
        people, places = [], []
        for number in range(start, min(start + 10_000, first + count)):
            person = uuid.uuid4()
            lang = "ka" if number % 3 else "en"
            people.append(
                (person, secrets.token_hex(16), f"person{number}@example.ge", NAMES[number % 4], lang,
                 "active", secrets.token_urlsafe(32), now, now)
            )  # fmt: skip
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


async def new_campaign(settings: Settings) -> UUID:
    """A campaign to `partners`, asked to send now (its ledger is the worker's job)."""
    draft = await states.create_campaign(
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
    await states.request_send(draft.id, None, site)
    return draft.id


async def prepared_messages(settings: Settings, campaign_id: UUID) -> list[tuple[str, bytes]]:
    """The campaign's messages as the engine builds them, for the bare loop to send."""
    row = await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    assert row is not None
    prepared = await prepare(row, settings.public_url)
    rows = await Delivery.select(Delivery.email, Delivery.lang, Delivery.name, Delivery.token).where(
        Delivery.campaign == campaign_id
    )
    return [
        (
            r["email"],
            prepared[r["lang"]].personalise(r["email"], personal(settings.public_url, r["name"], r["token"]))[
                0
            ],
        )
        for r in rows
    ]


async def send_round(url: str, settings: Settings, port: int, count: int, folder: Path) -> dict[str, Any]:
    """One campaign by the worker, then the same messages by the bare loop; rates and the worker's memory."""
    campaign_id = await new_campaign(settings)
    queue = f"scmi-bench:{secrets.token_hex(4)}"
    engine = run_child("worker", url, queue, str(port), str(campaign_id))
    state = await states.get_campaign(campaign_id)
    assert state.status == "sent", state
    assert state.counts == Counts(recipients=count, sent=count), state.counts  # nothing failed or skipped
    messages_file = folder / "messages.pickle"
    messages_file.write_bytes(pickle.dumps(await prepared_messages(settings, campaign_id)))
    bare = run_child("bare", str(messages_file), str(port), str(settings.smtp_connections))
    return {
        "engine_rate": count / engine["send"],
        "bare_rate": count / bare["send"],
        "ratio": bare["send"] / engine["send"],
        "ledger": engine["ledger"],
        "peak_mb": engine["peak_mb"],
        "start_mb": engine["start_mb"],
    }


async def measure(quick: bool, *, verbose: bool, count: int = 0, scale: bool = True) -> list[Figure]:
    count = count or (1_000 if quick else 10_000)
    rounds = 3
    admin_url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"scmi_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rpartition("/")[0] + f"/{name}"
    port = free_port()
    sink = start_sink(port)
    engine = engine_from_url(url)
    try:
        bind_engine(engine)
        await prepare_engine(engine)
        await migrate(quiet=True)
        settings = bench_settings(url, port)
        await create_list(ListIn(slug="partners", name=Names(ka="პარტნიორები", en="Partners")))
        await add_subscribers(count)
        with tempfile.TemporaryDirectory() as folder:
            results = []
            for number in range(rounds):
                result = await send_round(url, settings, port, count, Path(folder))
                results.append(result)
                if verbose:
                    print(
                        f"  round {number + 1}: {count} recipients, "
                        f"engine {result['engine_rate']:,.0f} msg/s, "
                        f"bare {result['bare_rate']:,.0f} msg/s, ratio {result['ratio']:.2f}; "
                        f"ledger {result['ledger']:.2f} s; worker peak RSS {result['peak_mb']:.0f} MB "
                        f"(after imports {result['start_mb']:.0f} MB)",
                        flush=True,
                    )
            big: dict[str, Any] | None = None
            if scale and not quick:
                await add_subscribers(100_000 - count, first=count)
                big = await send_round(url, settings, port, 100_000, Path(folder))
                if verbose:
                    print(
                        f"  100,000 recipients: engine {big['engine_rate']:,.0f} msg/s, "
                        f"bare {big['bare_rate']:,.0f} msg/s, ratio {big['ratio']:.2f}; "
                        f"ledger {big['ledger']:.2f} s; worker peak RSS {big['peak_mb']:.0f} MB",
                        flush=True,
                    )
    finally:
        sink.terminate()
        sink.wait()
        await close_engine(engine)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    ratio = statistics.median(result["ratio"] for result in results)
    peak = max(result["peak_mb"] for result in results)
    rates = ", ".join(f"{r['engine_rate']:,.0f}/{r['bare_rate']:,.0f}" for r in results)
    figures = [
        Figure(
            "send rate / bare aiosmtplib loop",
            ratio,
            0.6,
            detail=f"median of {rounds} rounds, {count:,} recipients, {CONNECTIONS} connections "
            f"(engine/bare msg/s: {rates})",
        ),
        Figure(
            f"worker peak RSS, {count // 1000}k campaign (MB)",
            peak,
            150,
            unit="MB",
            at_least=False,
            detail="VmHWM of the worker process, ledger written and every batch sent",
        ),
    ]
    if big is not None:
        figures.append(
            Figure(
                "peak RSS 100k / 10k",
                big["peak_mb"] / peak,
                1.10,
                at_least=False,
                detail=f"{big['peak_mb']:.0f} MB / {peak:.0f} MB",
            )
        )
    return figures


def figures(quick: bool) -> list[Figure]:
    """The sending figures for `make bench` (quick: 1,000 recipients and no 100,000 run, for CI)."""
    return asyncio.run(measure(quick, verbose=False))


def main() -> int:
    from bench.table import render

    counts = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    quick, scale = "--quick" in sys.argv, "--no-scale" not in sys.argv
    found = asyncio.run(measure(quick, verbose=True, count=counts[0] if counts else 0, scale=scale))
    print(render(found))
    return 0 if all(figure.holds for figure in found) else 1


def child(args: list[str]) -> int:
    kind, rest = args[0], args[1:]
    if kind == "worker":
        answer = asyncio.run(worker_child(rest[0], rest[1], int(rest[2]), rest[3]))
    else:
        messages = pickle.loads(Path(rest[0]).read_bytes())  # noqa: S301 (our own file)
        answer = asyncio.run(bare_child(messages, int(rest[1]), int(rest[2])))
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(child(sys.argv[2:]) if sys.argv[1:2] == ["--child"] else main())
