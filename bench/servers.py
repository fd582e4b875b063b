"""Serve an ASGI app in a child process with a chosen server (granian or uvicorn) and worker count."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

SERVERS = ("granian", "uvicorn")


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def command(factory: str, port: int, server: str, workers: int) -> list[str]:
    """The command line that serves `module:function` (an app factory) the way `scmi serve` would."""
    if server == "granian":
        return [
            str(Path(sys.executable).with_name("granian")), "--interface", "asgi", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--loop", "uvloop", "--log-level", "warning", "--no-ws", factory,
        ]  # fmt: skip
    return [
        sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port),
        "--http", "httptools", "--loop", "uvloop", "--log-level", "warning", "--no-access-log",
        "--workers", str(workers),
    ]  # fmt: skip


@contextlib.contextmanager
def serving(
    factory: str, env: dict[str, str], ready_path: str, *, server: str = "uvicorn", workers: int = 1
) -> Iterator[str]:
    """Serve the app made by `factory` on a free loopback port until the block ends; yields the base URL."""
    with served_process(factory, env, ready_path, server=server, workers=workers) as (base, _):
        yield base


@contextlib.contextmanager
def served_process(
    factory: str, env: dict[str, str], ready_path: str, *, server: str = "uvicorn", workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As `serving`, yielding the server's process too (its resident memory is measured)."""
    port = free_port()
    # The request log goes where a supervisor would take it; here, nowhere (its cost is still paid).
    process = subprocess.Popen(  # noqa: S603
        command(factory, port, server, workers),
        env={**os.environ, **env, "BENCH_SERVER": server},
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("BENCH_LOG") else subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + ready_path, timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{factory} did not start under {server}") from None
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
