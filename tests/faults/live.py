"""A live `scmi` server for the fault tests, given time to start on a machine busy with other work."""

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.private_servers import free_port
from tests.service.test_command_line import SCMI

STARTUP_SECONDS = 120


@contextlib.contextmanager
def live_scmi(env: dict[str, str], log_path: Path, command: str = "run") -> Iterator[tuple[str, int]]:
    """`scmi run` (or `serve`) on a free loopback port once /readyz says 200; yields its URL and pid."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [SCMI, command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            yield base, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
