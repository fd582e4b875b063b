"""SIGTERM lets work in flight finish: a request being received, a job being run."""

import asyncio
import json
import signal
import subprocess
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import httpx
from aiosmtpd.smtp import SMTP, Envelope, Session
from arq.connections import ArqRedis, RedisSettings, create_pool

from newsletters.consent import Origin
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, Names, SubscribeIn
from newsletters.subscriptions import subscribe
from newsletters.tables import Subscriber
from service.settings import Settings
from tests.conftest import Database
from tests.helpers import bilingual
from tests.private_servers import free_port, private_redis, smtp_server, wait_for_port
from tests.service.test_command_line import SCMI, scmi_env


def _start(command: list[str], env: dict[str, str], log: IO[str]) -> "subprocess.Popen[bytes]":
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def _staff_token(env: dict[str, str]) -> str:
    added = subprocess.run(
        [SCMI, "staff", "add", "editor@scmi.test", "--role", "editor"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return added.stdout.strip()


async def test_sigterm_lets_a_request_in_flight_finish_and_exits_0(db: Database, tmp_path: Path) -> None:
    env = scmi_env(db, tmp_path)
    token = _staff_token(env)
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    process = _start([SCMI, "run", "--port", str(port)], env, log)
    try:
        await asyncio.to_thread(wait_for_port, port, 30)
        body = json.dumps(bilingual()).encode()
        half_sent, go_on = asyncio.Event(), asyncio.Event()

        async def slowly() -> AsyncIterator[bytes]:
            yield body[:20]
            half_sent.set()
            await go_on.wait()
            yield body[20:]

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            request = asyncio.create_task(
                client.post(
                    "/api/v1/news",
                    content=slowly(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                        "Content-Length": str(len(body)),
                    },
                )
            )
            await half_sent.wait()
            await asyncio.sleep(0.3)  # let the server read the first part: the request is in flight
            process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            assert process.poll() is None, "the server left before its request finished"
            go_on.set()
            response = await request
        assert response.status_code == 201, response.text
        assert await asyncio.to_thread(process.wait, 30) == 0, (tmp_path / "server.log").read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


class SlowInbox:
    """An SMTP handler that holds each message until the test lets it go."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.delivered: list[list[str]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.arrived.set()
        await asyncio.to_thread(self.release.wait, 60)
        self.delivered.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


async def test_sigterm_lets_the_worker_finish_its_current_job(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    inbox = SlowInbox()
    with smtp_server(inbox) as smtp_url, private_redis(tmp_path) as redis_url:
        pool: ArqRedis = await create_pool(RedisSettings.from_dsn(redis_url))
        await create_list(ListIn(slug="press", name=Names(ka="პრესა", en="Press"), public=True))

        async def enqueue(subscriber_id: object) -> None:
            await pool.enqueue_job("send_confirmation_mail", str(subscriber_id))

        await subscribe(
            SubscribeIn(email="reporter@example.org", lists=["press"], consent=True),
            secret_key=settings.secret_key,
            origin=Origin(source="test"),
            enqueue=enqueue,
        )
        env = {
            **scmi_env(db, tmp_path),
            "REDIS_URL": redis_url,
            "SMTP_URL": smtp_url,
            "WORKER_METRICS_PORT": "0",
        }
        log = (tmp_path / "worker.log").open("w")
        process = _start([SCMI, "worker"], env, log)
        try:
            assert await asyncio.to_thread(inbox.arrived.wait, 30), (tmp_path / "worker.log").read_text()
            process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            assert process.poll() is None, "the worker left in the middle of its job"
            inbox.release.set()
            assert await asyncio.to_thread(process.wait, 30) == 0, (tmp_path / "worker.log").read_text()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
        assert inbox.delivered == [["reporter@example.org"]]
        row = await Subscriber.select(Subscriber.confirmation_sent_at).first()
        assert row is not None and row["confirmation_sent_at"] is not None
        queued = {job.function for job in await pool.queued_jobs()}
        assert "send_confirmation_mail" not in queued  # finished, not put back to run again
        await pool.aclose()
