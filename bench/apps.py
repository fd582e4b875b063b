"""The ASGI apps the benchmarks serve: the newsroom as configured by the environment, and a hello-world."""

from litestar import Litestar, get

from service.app import create_app
from service.settings import Settings


def newsroom() -> Litestar:
    """The newsroom API, as `scmi serve` builds it (without a worker)."""
    return create_app(Settings.from_env())


@get("/", sync_to_thread=False)
def hello() -> str:
    return "Hello, world!"


def hello_world() -> Litestar:
    """A Litestar hello-world: the ceiling of the same server on the same machine."""
    return Litestar(route_handlers=[hello])
