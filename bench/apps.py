"""The ASGI apps the benchmarks serve: the newsroom as configured by the environment, and a hello-world."""

import os
from pathlib import Path

from granian.utils.proxies import wrap_asgi_with_proxy_headers
from litestar import Litestar, Response, get
from litestar.types import ASGIApp

from service.app import create_app
from service.logs import configure_logging
from service.settings import Settings

_bare_body: list[bytes] = []


def newsroom() -> Litestar:
    """The newsroom API, as `scmi serve` builds it (without a worker), logging as it does."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)


@get("/bench/bare", sync_to_thread=False, include_in_schema=False)
def bare() -> Response[bytes]:
    """The bytes of the file BENCH_BARE_FILE, read once and then served from memory."""
    if not _bare_body:
        _bare_body.append(Path(os.environ["BENCH_BARE_FILE"]).read_bytes())
    return Response(_bare_body[0], media_type="application/rss+xml")


def newsroom_with_bare_route() -> ASGIApp:
    """The newsroom API plus `/bench/bare`: the floor a cached feed is measured against, same server.

    Under granian it is wrapped for proxy headers as `service.app.app_for_server` is (uvicorn reads
    them itself).
    """
    app = newsroom()
    app.register(bare)
    if os.environ.get("BENCH_SERVER") == "granian":
        wrapped: ASGIApp = wrap_asgi_with_proxy_headers(app, trusted_hosts="127.0.0.1")
        return wrapped
    return app


@get("/", sync_to_thread=False)
def hello() -> str:
    return "Hello, world!"


def hello_world() -> Litestar:
    """A Litestar hello-world: the ceiling of the same server on the same machine."""
    return Litestar(route_handlers=[hello])
