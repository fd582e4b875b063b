"""The bounce mailbox, over IMAP or POP3: fetch what is new, file what was read.

IMAP moves each message to a folder (Processed, or Unrecognised for people to read); POP3, which
has no folders, deletes what was processed and leaves the rest where it is (`file` is told which).
"""

import asyncio
from collections.abc import Collection
from typing import Final

from newsletters.bounces import imap, pop3
from newsletters.bounces.mailbox_url import MailboxDown, MailboxUrl, parse_mailbox_url

__all__ = [
    "MAX_BYTES",
    "PROCESSED",
    "UNRECOGNISED",
    "MailboxDown",
    "MailboxUrl",
    "fetch",
    "file",
    "parse_mailbox_url",
]

PROCESSED: Final = "Processed"
UNRECOGNISED: Final = "Unrecognised"  # kept for people to read
# Reports quote at most the original message (ours are well under 1 MB); anything bigger is not one.
MAX_BYTES: Final = 5 * 1024 * 1024


async def fetch(
    box: MailboxUrl, limit: int = 200, max_bytes: int = MAX_BYTES, skip: Collection[str] = ()
) -> tuple[list[tuple[str, bytes | None]], list[str] | None]:
    """Up to `limit` new messages as (id, bytes or None when too large), oldest first; with POP3 also
    every UIDL in the mailbox, and `skip` names the messages left there for people (not fetched)."""
    if box.protocol == "pop3":
        messages, present = await asyncio.to_thread(pop3.fetch_sync, box, limit, max_bytes, skip)
        return messages, present
    return await asyncio.to_thread(imap.fetch_sync, box, limit, max_bytes), None


async def file(box: MailboxUrl, moves: list[tuple[str, str]]) -> None:
    """File each (id, folder): IMAP moves it there; POP3 deletes the processed ones and keeps the rest."""
    if box.protocol == "pop3":
        await asyncio.to_thread(pop3.delete_sync, box, [uid for uid, folder in moves if folder == PROCESSED])
        return
    await asyncio.to_thread(imap.file_sync, box, moves)
