"""Where a webhook may be sent: http(s) only, and in production never inward, checked after DNS resolution."""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import Invalid


class RefusedTarget(Exception):
    """The address is not one webhooks may be sent to."""


@dataclass(frozen=True)
class Target:
    """A webhook URL with the address it resolved to: the connection goes to that very address."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def _inward(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def parse_url(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path-with-query of a webhook URL; Invalid when it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid("not a valid URL", field="url") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Invalid("a webhook URL is http:// or https:// with a host", field="url")
    if parts.username or parts.password:
        raise Invalid("a webhook URL carries no user name or password", field="url")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


async def resolve(url: str, *, allow_private: bool) -> Target:
    """The URL's target; RefusedTarget when any address it resolves to is inward and that is not allowed.

    Every address the name has is checked (an attacker's name may answer with a public and a private
    one), and the connection is then made to the first one checked, so a second lookup cannot differ.
    """
    scheme, host, port, path = parse_url(url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedTarget(f"{host} does not resolve: {error}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise RefusedTarget(f"{host} does not resolve")
    if not allow_private:
        for address in addresses:
            if _inward(ipaddress.ip_address(address.split("%")[0])):
                raise RefusedTarget(f"{host} resolves to {address}: private, loopback or link-local")
    return Target(scheme=scheme, host=host, port=port, address=addresses[0], path=path)


async def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse (Invalid, on the `url` field) a URL webhooks may not be registered for."""
    parse_url(url)
    if allow_private:
        return
    try:
        await resolve(url, allow_private=False)
    except RefusedTarget as error:
        raise Invalid(f"refused: {error}", field="url") from None
