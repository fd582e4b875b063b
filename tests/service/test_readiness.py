"""/readyz and the API while PostgreSQL or Redis is unreachable, and after they return, on a live server.

The shared servers stay up: the server under test reaches PostgreSQL and a Redis of the test's own
through TCP proxies that the test cuts and restores.
"""

import asyncio
import secrets
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import asyncpg
import httpx
import pytest

from tests.conftest import POSTGRES_ADMIN_URL
from tests.private_servers import CuttableProxy, free_port, private_redis, wait_for_port
from tests.service.test_command_line import SCMI

PROBLEM = "application/problem+json"


def _start(command: list[str], env: dict[str, str], log: IO[str]) -> "subprocess.Popen[bytes]":
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    name = f"scmi_ready_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield name
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def _until(client: httpx.AsyncClient, path: str, status: int, seconds: float = 15) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = await client.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.2)


async def test_readyz_and_the_api_follow_postgres_and_redis_going_and_coming_back(
    postgres_database: str, tmp_path: Path
) -> None:
    postgres_port = int(POSTGRES_ADMIN_URL.rpartition(":")[2].partition("/")[0])
    with private_redis(tmp_path) as redis_url:
        redis_port = int(redis_url.rpartition(":")[2].partition("/")[0])
        database_proxy, queue_proxy = CuttableProxy(postgres_port), CuttableProxy(redis_port)
        await database_proxy.start()
        await queue_proxy.start()
        user = POSTGRES_ADMIN_URL.partition("://")[2].partition("@")[0]
        env = {
            "PATH": "/usr/bin:/bin",
            "DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": f"postgresql://{user}@127.0.0.1:{database_proxy.port}/{postgres_database}",
            "REDIS_URL": f"redis://127.0.0.1:{queue_proxy.port}/0",
        }
        assert (
            await asyncio.to_thread(subprocess.run, [SCMI, "migrate"], env=env, check=False)
        ).returncode == 0
        port = free_port()
        log = (tmp_path / "server.log").open("w")
        process = _start([SCMI, "serve", "--port", str(port)], env, log)
        try:
            await asyncio.to_thread(wait_for_port, port, 30)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                assert (await _until(client, "/readyz", 200)).status_code == 200
                assert (await client.get("/api/v1/news")).status_code == 200

                await database_proxy.cut()
                down = await _until(client, "/readyz", 503)
                assert down.status_code == 503 and down.headers["content-type"] == PROBLEM
                assert "database" in down.json()["detail"] and "queue" not in down.json()["detail"]
                # A page the process has not kept needs the database (a kept one may still be served
                # until the next check of the content version, FEED_RECHECK_SECONDS later).
                news = await client.get("/api/v1/news?limit=7")
                assert news.status_code == 503, news.text
                assert news.headers["content-type"] == PROBLEM and news.headers["retry-after"]
                await database_proxy.restore()
                assert (await _until(client, "/readyz", 200)).status_code == 200
                assert (await _until(client, "/api/v1/news", 200)).status_code == 200

                await queue_proxy.cut()
                down = await _until(client, "/readyz", 503)
                assert down.status_code == 503 and "queue" in down.json()["detail"]
                await queue_proxy.restore()
                assert (await _until(client, "/readyz", 200)).status_code == 200
        finally:
            process.terminate()
            await asyncio.to_thread(process.wait, 15)
            log.close()
            await database_proxy.cut()
            await queue_proxy.cut()
