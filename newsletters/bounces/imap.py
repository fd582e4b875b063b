"""The bounce mailbox over IMAP (stdlib imaplib, run in a thread): fetch what is new, file what was read.

`imaps://user:password@host:993/INBOX` (TLS from the first byte) or `imap://...:143/INBOX`
(STARTTLS whenever the server offers it). Messages are fetched without marking them seen and only
moved once what they say is recorded: a run that fails half-way leaves the rest in the inbox.
"""

import contextlib
import imaplib
import re
import ssl
from typing import Final

from newsletters.bounces.mailbox_url import MailboxDown, MailboxUrl

TIMEOUT: Final = 30.0
SIZE: Final = re.compile(rb"RFC822\.SIZE (\d+)")


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


def fetch_sync(box: MailboxUrl, limit: int, max_bytes: int) -> list[tuple[str, bytes | None]]:
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
