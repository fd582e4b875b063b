"""Closing the database pool: a connection that never comes back must not hold a stopping process."""

import asyncio

import pytest

from service import database
from service.database import close_engine, engine_from_url
from tests.conftest import POSTGRES_ADMIN_URL


async def test_close_engine_drops_a_connection_that_was_never_released(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(database, "POOL_CLOSE_SECONDS", 0.5)
    engine = engine_from_url(POSTGRES_ADMIN_URL)
    await engine.start_connection_pool(min_size=1, max_size=2)
    pool = engine.pool
    held = await pool.acquire()  # never released, as after an outage
    # asyncpg's own close would wait for `held` forever: the test gives it 5 s, then fails.
    await asyncio.wait_for(close_engine(engine), 5)
    assert engine.pool is None
    assert pool.is_closing()
    assert held is not None
