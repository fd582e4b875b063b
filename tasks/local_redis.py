"""The in-process Redis stand-in for the embedded mode: fakeredis, taught the INFO command arq asks for."""

from typing import Any

from fakeredis import FakeServer
from fakeredis._clients._async import FakeReader, FakeWriter
from fakeredis._commands import command
from fakeredis._socket import AsyncFakeSocket
from fakeredis.aioredis import FakeAsyncRedisConnection

# arq's worker logs the server's INFO at start; fakeredis has no INFO, so answer like a small Redis.
_INFO = b"# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\n# Clients\r\nconnected_clients:1\r\n"


class _SocketWithInfo(AsyncFakeSocket):
    @command(name="INFO", fixed=(), repeat=(bytes,))
    def info(self, *sections: bytes) -> bytes:
        return _INFO


class LocalRedisConnection(FakeAsyncRedisConnection):
    """A connection to an in-memory Redis that lives as long as its `FakeServer`."""

    async def _connect(self) -> None:
        if self._server is None or not self._server.connected:
            raise self._connection_error_class("the in-process Redis is stopped")
        self._sock = _SocketWithInfo(
            self._server,
            self.db,
            client_class=self._client_class,
            lua_modules=self._lua_modules,
            client_info=self._client_info,
        )
        self._reader = FakeReader(self._sock)
        self._writer = FakeWriter(self._sock)


def local_server() -> FakeServer:
    """A new, empty in-memory Redis server."""
    return FakeServer()


def connection_kwargs(server: FakeServer) -> dict[str, Any]:
    """What a redis-py `ConnectionPool` needs to talk to `server`."""
    return {"connection_class": LocalRedisConnection, "server": server}
