"""The client's address: the TCP peer, or behind a trusted proxy (TRUSTED_PROXIES) the hop it forwarded."""

import ipaddress
from collections.abc import Iterable
from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Networks = tuple[Network, ...]
UNKNOWN: Final = "unknown"


def parse_networks(text: str) -> Networks:
    """`TRUSTED_PROXIES`: addresses or networks separated by commas or spaces; ValueError names a bad one."""
    networks: list[Network] = []
    for item in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES must list addresses or networks such as 10.0.0.0/8 or ::1, not {item!r}"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as proxies write it (bare, "[v6]", "v4:port", "[v6]:port", quoted), or None."""
    value = text.strip().strip('"')
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, trusted: Networks) -> bool:
    return address is not None and any(address in network for network in trusted)


def _forwarded_hops(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """The `for` hops, left (the first client) to right (the last proxy's peer).

    X-Forwarded-For when present, since the common proxies (Caddy, nginx) append to it; else the
    standard `Forwarded` header's `for=` parameters (RFC 7239).
    """
    x_forwarded: list[str] = []
    forwarded: list[str] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"x-forwarded-for":
            x_forwarded += [hop.strip() for hop in value.decode("latin-1").split(",")]
        elif lowered == b"forwarded":
            for element in value.decode("latin-1").split(","):
                for pair in element.split(";"):
                    key, _, hop = pair.strip().partition("=")
                    if key.lower() == "for":
                        forwarded.append(hop.strip())
    return x_forwarded or forwarded


def client_of(peer: str, headers: Iterable[tuple[bytes, bytes]], trusted: Networks) -> str:
    """Who sent the request: walking the forwarded hops from the right, the first untrusted address.

    Forwarded headers count only when the TCP peer is a trusted proxy; a hop that is not an
    address (garbage, "unknown", an obfuscated name) ends the walk at the proxy that passed it on.
    """
    current = _address(peer)
    if not _is_trusted(current, trusted):
        return str(current) if current is not None else peer
    for hop in reversed(_forwarded_hops(headers)):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not _is_trusted(address, trusted):
            break
    return str(current)


def peer_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The request's client address (already the forwarded one behind a trusted proxy)."""
    return connection.client.host if connection.client else UNKNOWN


class ForwardedClient:
    """ASGI layer that puts the real client into `scope["client"]` before anything reads it."""

    def __init__(self, app: ASGIApp, trusted: Networks) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and self.trusted:
            peer_host, peer_port = scope.get("client") or ("", 0)
            if _is_trusted(_address(peer_host), self.trusted):
                headers = scope.get("headers", [])
                scope["client"] = (client_of(peer_host, headers, self.trusted), peer_port)
                scheme = _forwarded_scheme(headers)
                if scheme is not None:
                    scope["scheme"] = scheme
        await self.app(scope, receive, send)


def _forwarded_scheme(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The scheme the last proxy says it was reached by (X-Forwarded-Proto's right-most value)."""
    found = None
    for name, value in headers:
        if name.lower() == b"x-forwarded-proto":
            last = value.decode("latin-1").split(",")[-1].strip().lower()
            found = last if last in {"http", "https"} else found
    return found
