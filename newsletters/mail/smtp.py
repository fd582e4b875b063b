"""The SMTP transport: aiosmtplib, STARTTLS whenever the server offers it, SMTPS for smtps:// URLs."""

from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import aiosmtplib


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how to reach the SMTP server, from `smtp://user:password@host:port`."""

    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool


def parse_smtp_url(url: str) -> SmtpServer:
    """Read `smtp://` (STARTTLS when offered) or `smtps://` (TLS from the first byte)."""
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtps"} or not parsed.hostname:
        raise ValueError(f"SMTP_URL must look like smtp://host:port or smtps://host:port (got {url!r})")
    implicit_tls = parsed.scheme == "smtps"
    return SmtpServer(
        host=parsed.hostname,
        port=parsed.port or (465 if implicit_tls else 25),
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        implicit_tls=implicit_tls,
    )


class SmtpTransport:
    """Send each message over its own connection (campaigns will keep connections open)."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.server = parse_smtp_url(url)
        self.timeout = timeout

    async def send_bytes(self, sender: str, recipients: list[str], message: bytes) -> None:
        """Deliver one message; aiosmtplib's errors (refused recipient, lost connection) propagate."""
        server = self.server
        international = not all(address.isascii() for address in [sender, *recipients])
        await aiosmtplib.send(
            message,
            sender=sender,
            recipients=recipients,
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=False if server.implicit_tls else None,  # None: STARTTLS when offered
            timeout=self.timeout,
            mail_options=["SMTPUTF8"] if international else None,
        )
