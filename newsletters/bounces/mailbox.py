"""The bounce mailbox over IMAP (stdlib imaplib, run in a thread): fetch what is new, file what was read.

`imaps://user:password@host:993/INBOX` (TLS from the first byte) or `imap://...:143/INBOX`
(STARTTLS whenever the server offers it). Messages are fetched without marking them seen and only
moved once what they say is recorded: a run that fails half-way leaves the rest in the inbox.
"""

import asyncio
import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlparse

PROCESSED: Final = "Processed"
UNRECOGNISED: Final = "Unrecognised"  # kept for people to read
TIMEOUT: Final = 30.0
# Reports quote at most the original message (ours are well under 1 MB); anything bigger is not one.
MAX_BYTES: Final = 5 * 1024 * 1024
SIZE: Final = re.compile(rb"RFC822\.SIZE (\d+)")


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


def parse_mailbox_url(url: str) -> MailboxUrl:
    """Read `imaps://` or `imap://` with credentials and an optional folder (INBOX by default)."""
    parsed = urlparse(url)
    if parsed.scheme not in {"imap", "imaps"} or not parsed.hostname:
        raise ValueError(
            f"BOUNCE_MAILBOX_URL must look like imaps://user:password@host:993/INBOX (got {url!r})"
        )
    if not parsed.username or parsed.password is None:
        raise ValueError("BOUNCE_MAILBOX_URL needs the mailbox's user and password (user:password@host)")
    implicit_tls = parsed.scheme == "imaps"
    return MailboxUrl(
        host=parsed.hostname,
        port=parsed.port or (993 if implicit_tls else 143),
        username=unquote(parsed.username),
        password=unquote(parsed.password),
        implicit_tls=implicit_tls,
        folder=unquote(parsed.path.strip("/")) or "INBOX",
    )


def _connect(box: MailboxUrl) -> imaplib.IMAP4:
    try:
        if box.implicit_tls:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                box.host, box.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
            )
        else:
            client = imaplib.IMAP4(box.host, box.port, timeout=TIMEOUT)
            if "STARTTLS" in client.capabilities:
                client.starttls(ssl.create_default_context())
        client.login(box.username, box.password)
        # The capabilities change with login (MOVE is often offered only then): ask again.
        status, data = client.capability()
        if status == "OK" and data and isinstance(data[-1], bytes):
            client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    except (TimeoutError, OSError, imaplib.IMAP4.error) as error:
        raise MailboxDown(f"{box.host}:{box.port}: {error}") from error
    return client


def _close(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _select(client: imaplib.IMAP4, folder: str) -> None:
    status, data = client.select(_quoted(folder))
    if status != "OK":
        raise MailboxDown(f"cannot open the folder {folder!r}: {data!r}")


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_sync(box: MailboxUrl, limit: int, max_bytes: int = MAX_BYTES) -> list[tuple[str, bytes | None]]:
    """Up to `limit` messages of the folder, oldest first, as (UID, bytes); none is marked seen.

    A message larger than `max_bytes` is not downloaded: its bytes are None (no report is that big).
    """
    client = _connect(box)
    try:
        _select(client, box.folder)
        status, data = client.uid("SEARCH", "ALL")
        if status != "OK":
            raise MailboxDown(f"search failed: {data!r}")
        uids = (data[0] or b"").split()[:limit]
        found: list[tuple[str, bytes | None]] = []
        for uid in uids:
            status, sized = client.uid("FETCH", uid.decode(), "(RFC822.SIZE)")
            size = SIZE.search(b" ".join(part for part in sized if isinstance(part, bytes)))
            if status == "OK" and size is not None and int(size.group(1)) > max_bytes:
                found.append((uid.decode(), None))
                continue
            status, parts = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            for part in parts:
                if status == "OK" and isinstance(part, tuple) and len(part) == 2:
                    found.append((uid.decode(), bytes(part[1])))
        return found
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxDown(str(error)) from error
    finally:
        _close(client)


def file_sync(box: MailboxUrl, moves: list[tuple[str, str]]) -> None:
    """Move each (UID, folder) out of the inbox, making the folders as needed."""
    if not moves:
        return
    client = _connect(box)
    try:
        for folder in {folder for _, folder in moves}:
            client.create(_quoted(folder))  # "already exists" is an answer, not an error: ignored
        _select(client, box.folder)
        can_move = "MOVE" in client.capabilities
        for uid, folder in moves:
            if can_move:
                client.uid("MOVE", uid, _quoted(folder))
            else:
                status, _ = client.uid("COPY", uid, _quoted(folder))
                if status == "OK":
                    client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
        if not can_move:
            client.expunge()
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxDown(str(error)) from error
    finally:
        _close(client)


async def fetch(
    box: MailboxUrl, limit: int = 200, max_bytes: int = MAX_BYTES
) -> list[tuple[str, bytes | None]]:
    """`fetch_sync` in a thread: imaplib blocks."""
    return await asyncio.to_thread(fetch_sync, box, limit, max_bytes)


async def file(box: MailboxUrl, moves: list[tuple[str, str]]) -> None:
    """`file_sync` in a thread."""
    await asyncio.to_thread(file_sync, box, moves)
