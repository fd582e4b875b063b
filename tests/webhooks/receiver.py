"""A webhook receiver the tests run on loopback: it records what arrives and answers as scripted."""

import contextlib
import secrets
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from arq.connections import ArqRedis, RedisSettings, create_pool
from standardwebhooks.webhooks import Webhook

from service.settings import Settings
from tasks.enqueue import enqueue_webhook_sweep
from tasks.worker import build_worker
from tests.conftest import REDIS_URL

STALL = -1  # an answer that comes only after 2 s


@dataclass
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes

    def verified(self, secret: str) -> Any:
        """The payload, after the standardwebhooks package checked the signature (raises otherwise)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    """What arrived, and the status codes to answer with next (200 once they run out)."""

    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else 200


@contextlib.contextmanager
def receiver(answers: list[int] | None = None) -> Iterator[Receiver]:
    """A receiver on a free loopback port, answering `answers` in turn, then 200."""
    state = Receiver(answers=list(answers or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
            code = state.answer()
            if code == STALL:
                time.sleep(2)  # a sender killed meanwhile never reads this answer
                code = 200
            self.send_response(code)
            # A cookie and a redirect the sender must ignore: it keeps no cookies and follows nothing.
            self.send_header("Set-Cookie", "tracker=1; Path=/")
            if 300 <= code < 400:
                self.send_header("Location", f"{state.url}redirected")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextlib.asynccontextmanager
async def own_queue() -> AsyncIterator[ArqRedis]:
    """A queue of the test's own on the suite's Redis, removed afterwards."""
    name = f"scmi-test-webhooks:{secrets.token_hex(4)}"
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=name)
    try:
        yield pool
    finally:
        await pool.delete(name)
        await pool.aclose()


async def run_worker(pool: ArqRedis, settings: Settings, *, sweep: bool = True) -> None:
    """Queue the sweep (what the cron does every 5 s) and run a worker until nothing is left to do."""
    if sweep:
        await enqueue_webhook_sweep(pool)
    worker = build_worker(pool, settings, burst=True, with_cron=False, handle_signals=False)
    try:
        await worker.main()
    finally:
        await worker.close()


async def register(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, events: list[str] | None = None
) -> dict[str, Any]:
    """Register an endpoint through the API; the answer holds its secret."""
    body = {"url": url, "events": events or ["entry.published", "entry.updated"], "description": "site"}
    response = await client.post("/api/v1/webhooks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def deliveries(client: httpx.AsyncClient, headers: dict[str, str], endpoint_id: str) -> list[Any]:
    """The endpoint's delivery log, newest first."""
    response = await client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]
