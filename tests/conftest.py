"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, against real servers."""

import asyncio
import contextlib
import io
import json
import logging
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import structlog
from litestar import Litestar
from piccolo.engine.base import Engine
from redis.asyncio import Redis

import piccolo_conf
from accounts.staff import add_staff
from service.app import create_app
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine
from service.logs import configure_logging
from service.settings import Settings

# CI sets these; the defaults are this machine's own servers. A missing server fails the run.
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Each pytest-xdist process has a Redis database of its own: queues and caches of two tests never mix.
_PROCESS = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_PROCESS}")
BACKENDS = [b for b in os.environ.get("TEST_BACKENDS", "sqlite,postgres").split(",") if b]


@dataclass
class Database:
    """A migrated test database and the engine bound to it."""

    backend: str
    url: str
    engine: Engine

    def bind(self) -> None:
        bind_engine(self.engine)


def _with_database_name(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@contextlib.asynccontextmanager
async def empty_postgres_database(prefix: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the shared server; dropped (connections closed) afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield _with_database_name(POSTGRES_ADMIN_URL, name)
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    backend: str = request.param
    async with contextlib.AsyncExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
        else:
            url = await stack.enter_async_context(empty_postgres_database("scmi_test"))
        engine = engine_from_url(url)
        bind_engine(engine)
        await prepare_engine(engine)
        await migrate(quiet=True)
        yield Database(backend=backend, url=url, engine=engine)
        await close_engine(engine)


def _table_names() -> list[str]:
    return [
        table._meta.tablename
        for app in piccolo_conf.APP_REGISTRY.app_configs.values()
        for table in app.table_classes
    ]


@pytest.fixture
async def db(database: Database) -> AsyncIterator[Database]:
    """The session's database, emptied before the test."""
    database.bind()
    engine = database.engine
    names = _table_names()
    if database.backend == "sqlite":
        for name in [*names, "entry_search"]:
            await engine.run_ddl(f"DELETE FROM {name}")
    else:
        await engine.run_ddl(f"TRUNCATE {', '.join(names)} CASCADE")
    yield database
    database.bind()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """A client of the suite's Redis (REDIS_URL); tests keep to keys of their own."""
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db.url, public_url="https://newsroom.test")


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """Hold the app's lifespan open in one task of the current loop (anyio scopes are per task)."""
    ready, stop = asyncio.Event(), asyncio.Event()
    failures: list[BaseException] = []

    async def hold() -> None:
        try:
            async with app.lifespan():
                ready.set()
                await stop.wait()
        except BaseException as error:
            failures.append(error)
            ready.set()

    task = asyncio.create_task(hold())
    await ready.wait()
    if failures:
        raise failures[0]
    try:
        yield
    finally:
        stop.set()
        await task
        if failures:
            raise failures[0]


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app, whose lifespan runs in the test's own event loop.

    (Litestar's AsyncTestClient runs the lifespan in a thread of its own, and an asyncpg pool
    made there cannot serve requests made from the test's loop.)
    """
    app = create_app(settings)
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
            yield test_client
    db.bind()


@dataclass
class Staff:
    """Tokens of one staff member of each role, and a second author."""

    author: str
    author2: str
    editor: str
    admin: str

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


@pytest.fixture
async def staff(client: httpx.AsyncClient) -> Staff:
    tokens = {}
    for role, email, staff_role in [
        ("author", "author@scmi.test", "author"),
        ("author2", "author2@scmi.test", "author"),
        ("editor", "editor@scmi.test", "editor"),
        ("admin", "admin@scmi.test", "admin"),
    ]:
        tokens[role] = (await add_staff(email, staff_role, name=role.title())).token
    return Staff(**tokens)


def settings_with(settings: Settings, **changes: object) -> Settings:
    return replace(settings, **changes)  # type: ignore[arg-type]


class Lines(io.StringIO):
    """Log output captured as JSON lines."""

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.getvalue().splitlines()]


@pytest.fixture
def json_logs() -> Iterator[Lines]:
    """The service's logging, configured as in production (JSON lines), into a buffer."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = Lines()
    configure_logging("INFO", json_lines=True, stream=stream)
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = False
    structlog.reset_defaults()
