"""A slow relay: an SMTP sink that answers each message after 100 ms, as real relays do.

Run: `.venv/bin/python -m bench.slow_relay [--quick] [RECIPIENTS]`. Throughput through such a relay
comes from parallel connections, not CPU: with SMTP_CONNECTIONS=8 the ceiling is 8 / 0.1 s = 80
messages a second. Each round sends a new campaign with the real worker (a child process, 8
connections; its peak resident set is reported), then the same prepared messages with a bare loop
of 8 aiosmtplib connections to the same sink, back to back. PostgreSQL and Redis as in
bench/campaigns.py, whose set-up this reuses.
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
from pathlib import Path
from typing import Any

from bench import campaigns
from bench.postgres import fresh_database
from bench.servers import free_port
from bench.slow_sink import DELAY
from bench.table import Figure
from newsletters.campaign_schemas import Counts
from newsletters.campaigns import states
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, ListNames
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine

CONNECTIONS = 8
CEILING = CONNECTIONS / DELAY  # messages a second the relay allows over 8 connections


def start_slow_sink(port: int) -> subprocess.Popen[bytes]:
    sink = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "bench.slow_sink.SlowSink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30  # a busy machine takes a while to start an interpreter
    while time.monotonic() < deadline and sink.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink
        except OSError:
            time.sleep(0.05)
    sink.kill()
    _, errors = sink.communicate()
    raise RuntimeError(f"the slow SMTP sink did not start: {errors.decode()[-2000:]}")


def run_child(*args: str) -> dict[str, Any]:
    """bench/campaigns.py's child (worker or bare loop) with SMTP_CONNECTIONS=8."""
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.campaigns", "--child", *args],
        capture_output=True,
        check=False,
        env={**os.environ, "SMTP_CONNECTIONS": str(CONNECTIONS)},
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench child {args[0]} failed:\n{done.stderr.decode()[-3000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return answer


async def one_round(url: str, port: int, count: int, folder: Path) -> dict[str, Any]:
    settings = campaigns.bench_settings(url, port)
    campaign_id = await campaigns.new_campaign(settings)
    queue = f"scmi-bench:{secrets.token_hex(4)}"
    engine = run_child("worker", url, queue, str(port), str(campaign_id))
    state = await states.get_campaign(campaign_id)
    assert state.status == "sent", state
    assert state.counts == Counts(recipients=count, sent=count), state.counts
    messages_file = folder / "messages.pickle"
    messages_file.write_bytes(pickle.dumps(await campaigns.prepared_messages(settings, campaign_id)))
    bare = run_child("bare", str(messages_file), str(port), str(CONNECTIONS))
    return {
        "engine_rate": count / engine["send"],
        "bare_rate": count / bare["send"],
        "peak_mb": engine["peak_mb"],
    }


async def measure(quick: bool, *, verbose: bool, count: int = 0) -> list[Figure]:
    count = count or (800 if quick else 4_000)
    rounds = 1 if quick else 2
    async with fresh_database() as url:  # dropped, connections closed, at the end
        port = free_port()
        sink = start_slow_sink(port)
        engine = engine_from_url(url)
        results = []
        try:
            bind_engine(engine)
            await prepare_engine(engine)
            await migrate(quiet=True)
            await create_list(ListIn(slug="partners", name=ListNames(ka="პარტნიორები", en="Partners")))
            await campaigns.add_subscribers(count)
            with tempfile.TemporaryDirectory() as folder:
                for number in range(rounds):
                    result = await one_round(url, port, count, Path(folder))
                    results.append(result)
                    if verbose:
                        print(
                            f"  round {number + 1}: {count} recipients through a 100 ms relay, "
                            f"engine {result['engine_rate']:,.1f} msg/s, "
                            f"bare {result['bare_rate']:,.1f} msg/s; "
                            f"worker peak RSS {result['peak_mb']:.0f} MB",
                            flush=True,
                        )
        finally:
            sink.terminate()
            sink.wait()
            await close_engine(engine)
    engine_rate = statistics.median(r["engine_rate"] for r in results)
    bare_rate = statistics.median(r["bare_rate"] for r in results)
    rates = ", ".join(f"{r['engine_rate']:,.1f}/{r['bare_rate']:,.1f}" for r in results)
    where = f"{count:,} recipients, {CONNECTIONS} connections, {rounds} round{'s' if rounds > 1 else ''}"
    return [
        Figure(
            "slow relay (100 ms a message): send rate / 80 msg/s",
            engine_rate / CEILING,
            0.85,
            detail=f"{where} (engine/bare msg/s: {rates})",
        ),
        Figure(
            "slow relay: send rate / bare 8-connection aiosmtplib loop",
            engine_rate / bare_rate,
            0.85,
            detail=f"bare loop {bare_rate:,.1f} msg/s = {bare_rate / CEILING:.2f} of 80",
        ),
        Figure(
            "slow relay: worker peak RSS (MB)",
            max(r["peak_mb"] for r in results),
            150,
            unit="MB",
            at_least=False,
            detail="VmHWM of the worker process",
        ),
    ]


def figures(quick: bool) -> list[Figure]:
    """The slow-relay figures for `make bench` (quick: 800 recipients, one round, for CI)."""
    return asyncio.run(measure(quick, verbose=False))


def main() -> int:
    from bench.table import render

    counts = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    found = asyncio.run(measure("--quick" in sys.argv, verbose=True, count=counts[0] if counts else 0))
    print(render(found))
    return 0 if all(figure.holds for figure in found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
