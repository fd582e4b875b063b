"""Upload a 200 MB video to the real server and report the growth of its resident memory (< 30 MB)."""

import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

UPLOAD_MB = 200
BUDGET_MB = 30
CHUNK = 256 * 1024
BOUNDARY = "scmi-bench-boundary"
LOG = None if os.environ.get("BENCH_LOG") else subprocess.DEVNULL
SCMI = str(Path(sys.executable).with_name("scmi"))


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mp4_body(size: int) -> Iterator[bytes]:
    """A multipart body whose file is an MP4 (ftyp box, then one big mdat box), made as it is sent."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="session.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    payload = size - 32
    yield struct.pack(">I4s4sI", 24, b"ftyp", b"mp42", 0) + b"mp42isom"
    yield struct.pack(">I4s", 8 + payload, b"mdat")
    block = os.urandom(CHUNK)  # random, so no layer can compress it away
    sent = 0
    while sent < payload:
        piece = block[: min(CHUNK, payload - sent)]
        sent += len(piece)
        yield piece
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


class Sampler(threading.Thread):
    """Sample a process's RSS every 10 ms and keep the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.01)


def download(client: httpx.Client, pid: int, url: str, headers: dict[str, str]) -> int:
    """Stream the file back, discarding it; the server's peak RSS (KiB) meanwhile."""
    sampler = Sampler(pid)
    sampler.start()
    received = 0
    with client.stream("GET", url, headers=headers) as response:
        for chunk in response.iter_bytes(CHUNK):
            received += len(chunk)
    sampler.running = False
    sampler.join()
    assert received == UPLOAD_MB * 1024 * 1024, received
    return sampler.peak


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="scmi-bench-") as data_dir:
        env = {
            **os.environ,
            "DATA_DIR": data_dir,
            "MEDIA_MAX_UPLOAD": str((UPLOAD_MB + 10) * 1024 * 1024),
            "DATABASE_URL": "",
            "REDIS_URL": "",
        }
        subprocess.run([SCMI, "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
        added = subprocess.run(  # noqa: S603
            [SCMI, "staff", "add", "bench@scmi.test", "--role", "author"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        token = added.stdout.strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [SCMI, "run", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=LOG
        )
        try:
            return measure(server.pid, f"http://127.0.0.1:{port}", token)
        finally:
            server.terminate()
            server.wait(timeout=30)


def measure(pid: int, base_url: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, timeout=300) as client:
        for _ in range(100):
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        # Warm up: a small upload loads every module the upload path uses.
        warm = client.post(
            "/api/v1/media",
            content=b"".join(mp4_body(64 * 1024)),
            headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        assert warm.status_code == 201, warm.text
        time.sleep(0.5)
        baseline = rss_kib(pid)
        sampler = Sampler(pid)
        sampler.start()
        started = time.perf_counter()
        response = client.post(
            "/api/v1/media",
            content=mp4_body(UPLOAD_MB * 1024 * 1024),
            headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        elapsed = time.perf_counter() - started
        time.sleep(0.2)
        sampler.running = False
        sampler.join()
        assert response.status_code == 201, response.text
        url = response.json()["url"]
        seek = client.get(url, headers={**headers, "Range": "bytes=100000000-100000999"})
        assert (seek.status_code, len(seek.content)) == (206, 1000), seek.status_code
        download_peak = download(client, pid, url, headers)
    growth_mb = (sampler.peak - baseline) / 1024
    verdict = "PASS" if growth_mb < BUDGET_MB else "FAIL"
    print(
        f"media upload: {UPLOAD_MB} MB MP4 in {elapsed:.1f} s ({UPLOAD_MB / elapsed:.0f} MB/s); "
        f"server RSS {baseline / 1024:.1f} MB before, peak {sampler.peak / 1024:.1f} MB; "
        f"peak growth {growth_mb:.1f} MB (budget {BUDGET_MB} MB): {verdict}"
    )
    print(
        f"media download: the same {UPLOAD_MB} MB streamed back, server peak RSS growth "
        f"{(download_peak - baseline) / 1024:.1f} MB; a Range request in the middle answered 206"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
