"""The `scmi` command line and a live server, as a newcomer uses them after `make run`."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import REDIS_URL, Database
from tests.helpers import ENGLISH_TITLE, GEORGIAN_TITLE, bilingual
from tests.private_servers import free_port

SCMI = str(Path(sys.executable).parent / "scmi")


def scmi_env(db: Database, data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "SMTP_URL"}}
    return {**env, "DATA_DIR": str(data_dir), "DATABASE_URL": db.url}


@contextlib.contextmanager
def scmi_process(
    env: dict[str, str],
    log_path: Path,
    command: str = "run",
    *,
    startup_seconds: float = 30,
    stop_seconds: float = 15,
) -> Iterator[tuple[str, int]]:
    """A live `scmi run` (or `serve`) on a free loopback port once /readyz says 200; yields its URL and pid.

    Afterwards SIGTERM: a process still running `stop_seconds` later is killed and the test fails.
    """
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [SCMI, command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + startup_seconds
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
                process.wait(timeout=stop_seconds)
            except subprocess.TimeoutExpired:
                process.kill()
                raise


@contextlib.contextmanager
def scmi_server(env: dict[str, str], log_path: Path, command: str = "run") -> Iterator[str]:
    """`scmi_process`, for tests that need only the URL."""
    with scmi_process(env, log_path, command) as (base, _):
        yield base


@pytest.fixture
def live_server(db: Database, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = scmi_env(db, tmp_path)
    with scmi_server(env, tmp_path / "server.log") as base:
        yield base, env


def test_migrate_is_idempotent(db: Database, tmp_path: Path) -> None:
    for _ in range(2):
        result = subprocess.run(
            [SCMI, "migrate"], env=scmi_env(db, tmp_path), capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout


def test_staff_add_prints_the_token_once(db: Database, tmp_path: Path) -> None:
    env = scmi_env(db, tmp_path)
    result = subprocess.run(
        [SCMI, "staff", "add", "Editor@SCMI.gov.ge", "--role", "editor"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("scmi_") and "\n" not in token
    again = subprocess.run(
        [SCMI, "staff", "add", "editor@scmi.gov.ge", "--role", "editor"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0
    assert "already on the staff" in again.stderr
    assert "Traceback" not in again.stderr
    listed = subprocess.run([SCMI, "staff", "list"], env=env, capture_output=True, text=True, check=True)
    assert "editor@scmi.gov.ge" in listed.stdout and token not in listed.stdout


def test_newcomer_flow_on_a_live_server(live_server: tuple[str, dict[str, str]]) -> None:
    base, env = live_server
    token = subprocess.run(
        [SCMI, "staff", "add", "nino@scmi.gov.ge", "--role", "editor"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=10) as http:
        created = http.post("/api/v1/news", json=bilingual(), headers=headers)
        assert created.status_code == 201, created.text
        entry = created.json()
        assert http.post(f"/api/v1/news/{entry['id']}/publish", headers=headers).status_code == 200
        for lang, title in (("ka", GEORGIAN_TITLE), ("en", ENGLISH_TITLE)):
            assert [item["title"] for item in http.get(f"/api/v1/news?lang={lang}").json()["items"]] == [
                title
            ]
        for ref in entry["translations"]:
            assert http.get(f"/api/v1/news/{ref['slug']}").json()["title"] == ref["title"]
        for query, lang in (("სხდომა", "ka"), ("სხდომის", "ka"), ("strategies", "en")):
            found = http.get("/api/v1/news", params={"q": query, "lang": lang}).json()["items"]
            assert [item["id"] for item in found] == [entry["id"]], query
        assert http.get("/schema/openapi.json").status_code == 200


def test_serve_and_worker_run_apart_on_redis(db: Database, tmp_path: Path) -> None:
    """The production shape: `scmi serve` enqueues on Redis, a separate `scmi worker` does the work."""
    redis_url = REDIS_URL.rsplit("/", 1)[0] + "/11"  # a database of its own: no other test's worker
    redis.Redis.from_url(redis_url).flushdb()
    env = {**scmi_env(db, tmp_path), "REDIS_URL": redis_url, "WORKER_METRICS_PORT": str(free_port())}
    token = subprocess.run(
        [SCMI, "staff", "add", "admin@scmi.gov.ge", "--role", "admin"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen([SCMI, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            with (
                scmi_server(env, tmp_path / "serve.log", command="serve") as base,
                httpx.Client(base_url=base) as http,
            ):
                # A scheduled entry is published by the worker's cron, not by the API process.
                entry = http.post("/api/v1/news", json=bilingual(), headers=headers).json()
                due = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
                assert (
                    http.post(
                        f"/api/v1/news/{entry['id']}/publish", json={"at": due}, headers=headers
                    ).status_code
                    == 200
                )
                # A sign-up's confirmation mail is sent by the worker (to the outbox: no SMTP_URL).
                press = {"slug": "press", "name": {"ka": "პრესა", "en": "Press"}, "public": True}
                assert http.post("/api/v1/lists", json=press, headers=headers).status_code == 201
                signup = {"email": "nino@example.ge", "lang": "ka", "lists": ["press"], "consent": True}
                assert http.post("/api/v1/subscriptions", json=signup).status_code == 202
                deadline = time.monotonic() + 40
                published = mailed = False
                while time.monotonic() < deadline and not (published and mailed):
                    published = http.get(f"/api/v1/news/{entry['id']}").status_code == 200
                    mailed = any((tmp_path / "outbox").glob("*.eml"))
                    time.sleep(0.3)
                assert published, (tmp_path / "worker.log").read_text()[-3000:]
                assert mailed, (tmp_path / "worker.log").read_text()[-3000:]
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0


@pytest.mark.parametrize("command", ["run", "serve", "worker"])
@pytest.mark.parametrize("secret_key", ["", "short-but-mine"])
def test_production_refuses_to_start_without_a_secret_key_of_its_own(
    tmp_path: Path, command: str, secret_key: str
) -> None:
    # No database is touched: the check comes before anything else (an SQLite file that never appears).
    env = {
        **{key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
        "DATA_DIR": str(tmp_path),
        "SCMI_ENV": "production",
        "SECRET_KEY": secret_key,
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # never reached: the check comes first
    }
    result = subprocess.run(
        [SCMI, command, "--port", str(free_port())] if command != "worker" else [SCMI, command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr and "SCMI_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "scmi.sqlite3").exists()


def test_production_starts_with_a_secret_key_of_its_own(db: Database, tmp_path: Path) -> None:
    env = {
        **scmi_env(db, tmp_path),
        "SCMI_ENV": "production",
        "SECRET_KEY": "k" * 24 + "-a-secret-of-our-own",
    }
    with scmi_server(env, tmp_path / "server.log") as base:
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200


@pytest.mark.parametrize("rate", ["abc", "-1", "nan", "1e400"])
def test_an_smtp_rate_that_cannot_work_is_refused_at_start_up_in_one_line(tmp_path: Path, rate: str) -> None:
    env = {
        **{key: value for key, value in os.environ.items() if key != "DATABASE_URL"},
        "DATA_DIR": str(tmp_path),
        "SMTP_RATE": rate,
    }
    result = subprocess.run(
        [SCMI, "run", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: SMTP_RATE must be a number of messages a second") and repr(rate) in line
    assert "Traceback" not in result.stdout
    assert not (tmp_path / "scmi.sqlite3").exists()  # refused before anything started


@pytest.mark.parametrize("rate", ["0", "0.5"])
def test_any_smtp_rate_from_zero_up_is_accepted(db: Database, tmp_path: Path, rate: str) -> None:
    result = subprocess.run(
        [SCMI, "migrate"],
        env={**scmi_env(db, tmp_path), "SMTP_RATE": rate},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
