"""Drive wrk (installed with apt-get when missing) and read its requests per second and p99 latency."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 32
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Run:
    """What one wrk run measured: throughput and the 99th percentile latency in milliseconds."""

    requests_per_second: float
    p99_ms: float


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package first if needed."""
    found = shutil.which("wrk")
    if found:
        return found
    print("bench: installing wrk with apt-get", flush=True)
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, capture_output=True, check=False).returncode != 0:  # noqa: S603
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=True)  # noqa: S607
        subprocess.run(install, capture_output=True, check=True)  # noqa: S603
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def measure(
    url: str,
    seconds: int,
    headers: dict[str, str] | None = None,
    *,
    script: Path | None = None,
    script_args: tuple[str, ...] = (),
    connections: int = CONNECTIONS,
) -> Run:
    """One wrk run against `url` (-t2 -c32 --latency); non-2xx/3xx answers fail the run.

    With `script`, a Lua script of wrk's chooses the requests (given `script_args` after `--`).
    """
    command = [ensure_wrk(), f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"wrk saw error answers from {url}:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if rate is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    return Run(float(rate.group(1)), float(p99.group(1)) * UNITS[p99.group(2)])


def requests_per_second(url: str, seconds: int, headers: dict[str, str] | None = None) -> float:
    """Requests per second wrk reaches against `url` (-t2 -c32)."""
    return measure(url, seconds, headers).requests_per_second
