"""`scmi run` started by a test on a free loopback port, answered once its health check passes."""

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

SCMI = str(Path(sys.executable).parent / "scmi")


@contextlib.asynccontextmanager
async def scmi_run(env: dict[str, str], port: int, log_path: Path) -> AsyncIterator[str]:
    """Run `scmi run` (API and worker in one process) with `env`; yield its address; stop it after."""
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            SCMI, "run", "--host", "127.0.0.1", "--port", str(port), env=env, stdout=log, stderr=log
        )
        try:
            async with httpx.AsyncClient(base_url=url) as client:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert process.returncode is None, f"the server exited; its log is {log_path}"
                    assert time.monotonic() < deadline, "the server did not start"
                    await asyncio.sleep(0.2)
            yield url
        finally:
            process.terminate()
            await process.wait()
