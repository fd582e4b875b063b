"""A fresh PostgreSQL database for one benchmark, created on the shared server and dropped afterwards."""

import contextlib
import os
import secrets
from collections.abc import AsyncIterator

import asyncpg

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """Yields the URL of a new, empty database; drops it (closing its connections) at the end."""
    name = f"scmi_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield ADMIN_URL.rpartition("/")[0] + f"/{name}"
    finally:
        admin = await asyncpg.connect(ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
