"""A campaign under fire: a fresh PostgreSQL database, a private Redis, a faulty SMTP sink in a process of its
own, real `scmi worker` processes, and the tally of what the sink received against what the ledger says."""

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import piccolo_conf
from content.feeds.links import FeedSite
from core.db import write_transaction
from newsletters.bulk import bulk_insert
from newsletters.campaign_schemas import CampaignIn
from newsletters.campaigns import states
from newsletters.campaigns.batch import MARK_EVERY
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, Names
from newsletters.tables import Campaign, Delivery, MailingList, Membership, Subscriber
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine
from tests.conftest import empty_postgres_database
from tests.private_servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SCMI = str(Path(sys.executable).parent / "scmi")
PUBLIC_URL = "https://newsroom.test"
CONNECTIONS = 2


@contextlib.asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """A new, migrated PostgreSQL database on the shared server, bound for this test; dropped afterwards."""
    async with empty_postgres_database("scmi_faults") as url:
        previous = getattr(piccolo_conf, "DB", None)
        engine = engine_from_url(url)
        bind_engine(engine)
        try:
            await prepare_engine(engine)
            await migrate(quiet=True)
            yield url
        finally:
            await close_engine(engine)
            if previous is not None:
                bind_engine(previous)


class RedisServer:
    """A redis-server of the test's own on a fixed free port, which the test can stop and start again."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir = free_port(), workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextlib.contextmanager
def private_redis_server(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Sink:
    """The faulty SMTP sink's process and what it logged."""

    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def events(self) -> list[tuple[str, str, str]]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [(event, address, message_id) for event, address, message_id in (x.split("\t") for x in lines)]

    def received(self) -> Counter[str]:
        """Messages accepted, by recipient."""
        return Counter(address for event, address, _ in self.events() if event == "250")

    def accepted_count(self) -> int:
        if not self.log.exists():
            return 0
        with self.log.open("rb") as log:
            return sum(1 for line in log if line.startswith(b"250\t"))


@contextlib.contextmanager
def smtp_sink(workdir: Path, delay: float = 0.0) -> Iterator[Sink]:
    port = free_port()
    log = workdir / "sink.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.smtp_sink", str(port), str(log), str(delay)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=(workdir / "sink.err").open("w"),
    )  # fmt: skip
    try:
        wait_for_port(port)
        yield Sink(port, log, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Workers:
    """`scmi worker` processes started (and killed) by the test, their output in one log."""

    env: dict[str, str]
    log: Path
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started: int = 0

    def start(self) -> subprocess.Popen[bytes]:
        with self.log.open("a") as log:
            process = subprocess.Popen([SCMI, "worker"], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.running.append(process)
        self.started += 1
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no shutdown, no finally blocks, nothing recorded that was not already."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self.running.remove(process)

    def revive_dead(self) -> int:
        """Restart workers that exited by themselves (what a supervisor does); how many."""
        dead = [process for process in self.running if process.poll() is not None]
        for process in dead:
            self.running.remove(process)
            self.start()
        return len(dead)

    def stop_all(self) -> None:
        for process in self.running:
            process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()

    def tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""


def worker_env(
    database_url: str, redis_url: str, smtp_port: int, data_dir: Path, **extra: str
) -> dict[str, str]:
    """The environment of the test's workers: short leases, retries and reconciler period."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SMTP_", "CAMPAIGN_"))}
    return {
        **env,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DATA_DIR": str(data_dir),
        "PUBLIC_URL": PUBLIC_URL,
        "WORKER_METRICS_PORT": "0",
        "LOG_LEVEL": "WARNING",
        "SMTP_CONNECTIONS": str(CONNECTIONS),
        "CAMPAIGN_BATCH_SIZE": "50",
        "CAMPAIGN_LEASE_SECONDS": "6",
        "CAMPAIGN_RECONCILE_SECONDS": "2",
        "CAMPAIGN_RETRY_SECONDS": "1,2,3,4",
        **extra,
    }


async def add_recipients(addresses: list[str]) -> None:
    """Active subscribers of the `partners` list, written with the drivers' bulk paths."""
    await create_list(ListIn(slug="partners", name=Names(ka="პარტნიორები", en="Partners")))
    found = await MailingList.select(MailingList.id).where(MailingList.slug == "partners").first()
    assert found is not None
    now = datetime.now(UTC)
    people, places = [], []
    for number, address in enumerate(addresses):
        person = uuid.uuid4()
        people.append((person, secrets.token_hex(16), address, f"Partner {number}", "ka" if number % 3 else "en",
                       "active", secrets.token_urlsafe(32), now, now))  # fmt: skip
        places.append((uuid.uuid4(), person, found["id"], "active", now, now, now))
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


async def schedule_campaign() -> UUID:
    """A campaign to `partners`, due now: the workers' reconciler starts it."""
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
    await states.request_send(draft.id, None, FeedSite(public_url=PUBLIC_URL, website_url=PUBLIC_URL))
    return draft.id


async def campaign_status(campaign_id: UUID) -> str:
    row = await Campaign.select(Campaign.status).where(Campaign.id == campaign_id).first()
    assert row is not None
    return str(row["status"])


async def wait_until(condition: Any, workers: Workers, limit: float, what: str) -> None:
    """Poll `condition` (an async callable) until true; restart workers that died meanwhile."""
    deadline = time.monotonic() + limit
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {limit:.0f} s\n{workers.tail()}")
        workers.revive_dead()
        await asyncio.sleep(0.05)


async def hold(workers: Workers, seconds: float) -> None:
    """Let `seconds` pass, restarting workers that die meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers.revive_dead()
        await asyncio.sleep(0.05)


@dataclass
class Tally:
    """Every recipient's fate: the ledger's word against the sink's log."""

    recipients: int
    by_status: Counter[str]
    losses: list[str]  # neither received nor an honest failed or bounced status
    duplicates: int  # extra copies received
    sent_not_received: list[str]
    received_not_sent: list[str]
    wrong_message_id: list[str]  # the ledger's Message-ID is not one the sink received for that address
    rows: dict[str, dict[str, Any]]

    def show(self, name: str, seconds: float, bound: int | None = None) -> None:
        figures = (
            f"[{name}] {self.recipients} recipients in {seconds:.1f} s; ledger {dict(self.by_status)}; "
            f"losses {len(self.losses)}, duplicates {self.duplicates}"
        )
        if bound is not None:
            figures += f" (bound {bound})"
        print(figures)


async def tally(campaign_id: UUID, sink: Sink) -> Tally:
    rows = {
        row["email"]: row
        for row in await Delivery.select(
            Delivery.email, Delivery.status, Delivery.attempts, Delivery.message_id, Delivery.error
        ).where(Delivery.campaign == campaign_id)
    }
    received = sink.received()
    ids: dict[str, set[str]] = {}
    for event, address, message_id in sink.events():
        if event == "250":
            ids.setdefault(address, set()).add(message_id)
    honest = {"failed", "bounced"}
    return Tally(
        recipients=len(rows),
        by_status=Counter(row["status"] for row in rows.values()),
        losses=sorted(a for a, row in rows.items() if not received[a] and row["status"] not in honest),
        duplicates=sum(count - 1 for count in received.values() if count > 1),
        sent_not_received=sorted(a for a, row in rows.items() if row["status"] == "sent" and not received[a]),
        received_not_sent=sorted(a for a in received if rows.get(a, {}).get("status") != "sent"),
        wrong_message_id=sorted(
            a
            for a, row in rows.items()
            if row["status"] == "sent" and row["message_id"] not in ids.get(a, ())
        ),
        rows=rows,
    )


def in_flight_bound(kills: int) -> int:
    """Messages a worker killed outright may have sent without recording: MARK_EVERY per connection."""
    return MARK_EVERY * CONNECTIONS * kills
