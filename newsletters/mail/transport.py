"""The one mail interface: send prepared bytes over a connection kept open for a batch, then close."""

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol

from newsletters.mail.outbox import OutboxTransport
from newsletters.mail.smtp import SmtpServer, SmtpTransport, parse_smtp_url


class MailTransport(Protocol):
    """Somewhere to hand finished messages to: SMTP, or .eml files in the outbox.

    `send` opens the connection when there is none (or the server dropped it), so a job that never
    sends never connects; a failed send raises `newsletters.mail.errors.SendFailed`.
    """

    async def open(self) -> None:
        """Connect now (sending connects by itself when needed)."""

    async def send(self, sender: str, recipients: list[str], message: bytes) -> None:
        """Deliver a message already rendered to bytes (the campaign engine patches bytes per recipient)."""

    async def close(self) -> None:
        """Say goodbye to the server; the transport may be opened again afterwards."""


@dataclass(frozen=True, slots=True)
class MailRoute:
    """Where mail leaves by, read once at start-up: an SMTP server, else the outbox directory."""

    smtp: SmtpServer | None
    outbox_dir: Path
    timeout: float = 30.0  # seconds an SMTP command may take

    def transport(self) -> MailTransport:
        """A new transport (one connection; concurrent jobs each take their own)."""
        if self.smtp is None:
            return OutboxTransport(self.outbox_dir)
        return SmtpTransport(self.smtp, timeout=self.timeout)


def mail_route(smtp_url: str | None, outbox_dir: Path, *, timeout: float = 30.0) -> MailRoute:
    """The route for SMTP_URL (parsed here, once), or the outbox when it is empty."""
    return MailRoute(
        smtp=parse_smtp_url(smtp_url) if smtp_url else None, outbox_dir=outbox_dir, timeout=timeout
    )


async def send_message(transport: MailTransport, message: EmailMessage, *, sender: str | None = None) -> None:
    """Send a built message to its To addresses, from `sender` (a return path) or its From address."""
    sender = sender or getaddresses([str(message["From"])])[0][1]
    recipients = [address for _, address in getaddresses([str(message["To"])])]
    international = not all(address.isascii() for address in [sender, *recipients])
    # An address with a non-ASCII local part travels raw in UTF-8 (RFC 6531), not RFC 2047-encoded.
    data = message.as_bytes(policy=policy.SMTPUTF8) if international else message.as_bytes()
    await transport.send(sender, recipients, data)
