"""BOUNCE_MAILBOX_URL read: where the bounce mailbox is, over which protocol, and how to log in."""

from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import unquote, urlparse

SCHEMES: Final = {"imaps": ("imap", True, 993), "imap": ("imap", False, 143), "pop3s": ("pop3", True, 995),
                  "pop3": ("pop3", False, 110)}  # fmt: skip


class MailboxDown(Exception):
    """The mailbox could not be reached or refused us: the job tries again on its next run."""


@dataclass(frozen=True, slots=True)
class MailboxUrl:
    """Where the bounce mailbox is and how to log in."""

    host: str
    port: int
    username: str
    password: str
    implicit_tls: bool
    folder: str = "INBOX"
    protocol: Literal["imap", "pop3"] = "imap"


def parse_mailbox_url(url: str) -> MailboxUrl:
    """Read `imaps://`, `imap://` (with an optional folder, INBOX by default), `pop3s://` or `pop3://`
    (one mailbox, no folders), with credentials."""
    parsed = urlparse(url)
    if parsed.scheme not in SCHEMES or not parsed.hostname:
        raise ValueError(
            "BOUNCE_MAILBOX_URL must look like imaps://user:password@host:993/INBOX or "
            f"pop3s://user:password@host:995 (got {url!r})"
        )
    if not parsed.username or parsed.password is None:
        raise ValueError("BOUNCE_MAILBOX_URL needs the mailbox's user and password (user:password@host)")
    protocol, implicit_tls, port = SCHEMES[parsed.scheme]
    folder = unquote(parsed.path.strip("/")) or "INBOX"
    if protocol == "pop3" and folder.upper() != "INBOX":
        raise ValueError("BOUNCE_MAILBOX_URL: POP3 has one mailbox and no folders (leave the path out)")
    return MailboxUrl(
        host=parsed.hostname,
        port=parsed.port or port,
        username=unquote(parsed.username),
        password=unquote(parsed.password),
        implicit_tls=implicit_tls,
        folder=folder,
        protocol=protocol,  # type: ignore[arg-type]
    )
