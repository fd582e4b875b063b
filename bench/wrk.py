"""Drive wrk (installed with apt-get when missing) and read its requests per second."""

import re
import shutil
import subprocess

THREADS = 2
CONNECTIONS = 32


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


def requests_per_second(url: str, seconds: int, headers: dict[str, str] | None = None) -> float:
    """Requests per second wrk reaches against `url` (-t2 -c32); non-2xx/3xx answers fail the run."""
    command = [ensure_wrk(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"wrk saw error answers from {url}:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    return float(match.group(1))
