"""Mail transports: SMTP when SMTP_URL is set, else .eml files in the outbox directory."""

from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol

from newsletters.mail.outbox import FileOutbox
from newsletters.mail.smtp import SmtpTransport


class Transport(Protocol):
    """Somewhere to hand finished messages to."""

    async def send_bytes(self, sender: str, recipients: list[str], message: bytes) -> None:
        """Deliver a message already rendered to bytes (the campaign engine patches bytes per recipient)."""


def transport_for(smtp_url: str | None, outbox_dir: Path) -> Transport:
    """The configured transport."""
    if smtp_url:
        return SmtpTransport(smtp_url)
    return FileOutbox(outbox_dir)


async def send_message(transport: Transport, message: EmailMessage) -> None:
    """Send a built message to its To addresses, from the address of its From header."""
    sender = getaddresses([str(message["From"])])[0][1]
    recipients = [address for _, address in getaddresses([str(message["To"])])]
    international = not all(address.isascii() for address in [sender, *recipients])
    # An address with a non-ASCII local part travels raw in UTF-8 (RFC 6531), not RFC 2047-encoded.
    data = message.as_bytes(policy=policy.SMTPUTF8) if international else message.as_bytes()
    await transport.send_bytes(sender, recipients, data)
