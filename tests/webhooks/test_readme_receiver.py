"""The README's dozen-line receiver gets and verifies entry.published after a publish."""

import asyncio
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from service.settings import Settings
from tests.conftest import Staff
from tests.webhooks.receiver import own_queue, register, run_worker
from tests.webhooks.test_delivery import create_and_publish, fast

README = Path(__file__).resolve().parents[2] / "README.md"


def receiver_code() -> str:
    section = README.read_text("utf-8").split("## Webhooks for the website", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_readme_receiver_verifies_a_publish(
    client: httpx.AsyncClient, staff: Staff, settings: Settings, tmp_path: Path
) -> None:
    code = receiver_code()
    assert len([line for line in code.splitlines() if line.strip()]) <= 12
    script = tmp_path / "receiver.py"
    script.write_text(code, "utf-8")
    port = free_port()
    endpoint = await register(client, staff.headers("admin"), f"http://127.0.0.1:{port}/")
    env = {**os.environ, "SECRET": endpoint["secret"], "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(  # noqa: ASYNC220 (a server of the test's own, stopped below)
        [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        entry_id = await create_and_publish(client, staff.headers("editor"))
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert f"entry.published {entry_id}" in out, err
    log = (
        await client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=staff.headers("admin"))
    ).json()
    assert [(d["status"], d["status_code"]) for d in log["items"]] == [("delivered", 204)]
