"""The SMTP transport: one aiosmtplib connection, STARTTLS whenever the server offers it, SMTPS for smtps://."""

from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import aiosmtplib

from newsletters.mail.errors import SendFailed
from newsletters.mail.seven_bit import as_7bit, has_8bit, headers_are_ascii


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


def _is_permanent(error: Exception) -> bool:
    code = getattr(error, "code", None)
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        code = error.recipients[0].code if error.recipients else None
    return isinstance(code, int) and 500 <= code < 600


class SmtpTransport:
    """One SMTP connection, opened on first use and again after the server dropped it."""

    def __init__(self, server: SmtpServer, *, timeout: float = 30.0) -> None:
        self.server = server
        self.timeout = timeout
        self.client: aiosmtplib.SMTP | None = None

    async def open(self) -> None:
        """Connect (and log in) unless connected already."""
        if self.client is not None and self.client.is_connected:
            return
        server = self.server
        client = aiosmtplib.SMTP(
            hostname=server.host, port=server.port, use_tls=server.implicit_tls,
            start_tls=False if server.implicit_tls else None,  # None: STARTTLS when offered
            timeout=self.timeout,
        )  # fmt: skip
        try:
            await client.connect()
            if server.username and server.password:
                await client.login(server.username, server.password)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            client.close()
            raise SendFailed(str(error), permanent=False) from error
        self.client = client

    async def send(self, sender: str, recipients: list[str], message: bytes) -> None:
        """Deliver one message over the open connection; refusals and lost connections raise SendFailed."""
        await self.open()
        client = self.client
        assert client is not None
        # An address with a non-ASCII local part needs the server's SMTPUTF8 (RFC 6531).
        international = not sender.isascii() or not all(address.isascii() for address in recipients)
        options = ["SMTPUTF8"] if international else []
        if has_8bit(message):
            # aiosmtplib's sendmail() declares nothing by itself: an 8bit body is announced, and only
            # to a server that offers 8BITMIME; any other server gets the body re-encoded 7-bit.
            if client.supports_extension("8bitmime"):
                options.append("BODY=8BITMIME")
            elif headers_are_ascii(message):
                message = as_7bit(message)
        try:
            await client.sendmail(sender, recipients, message, mail_options=options or None)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            if isinstance(error, aiosmtplib.SMTPServerDisconnected | OSError | TimeoutError):
                # The connection is no use any more: the next message opens a new one.
                self.client = None
                client.close()
            raise SendFailed(str(error), permanent=_is_permanent(error)) from error

    async def close(self) -> None:
        """Say QUIT (or just close the socket when the server is gone)."""
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
