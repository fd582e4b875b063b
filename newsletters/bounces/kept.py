"""Messages of a POP3 bounce mailbox left there for people (POP3 has no folder to move them to)."""

import hashlib
from collections.abc import Collection

from core.db import utcnow, write_transaction
from newsletters.bounces.mailbox_url import MailboxUrl
from newsletters.tables import KeptMessage


def mailbox_key(box: MailboxUrl) -> str:
    """Which mailbox the UIDLs belong to (a digest: no address in the table)."""
    return hashlib.sha256(f"{box.host}:{box.port}:{box.username}".encode()).hexdigest()


async def kept_in(box: MailboxUrl) -> set[str]:
    """The UIDLs of messages this mailbox holds that we could not read."""
    rows = await KeptMessage.select(KeptMessage.uidl).where(KeptMessage.mailbox == mailbox_key(box))
    return {row["uidl"] for row in rows}


async def remember(box: MailboxUrl, kept: Collection[str], present: Collection[str]) -> None:
    """Note the messages just left for people, and forget those people have since removed."""
    key = mailbox_key(box)
    async with write_transaction(KeptMessage):
        known = await kept_in(box)
        gone = known - set(present)
        if gone:
            await KeptMessage.delete().where(
                (KeptMessage.mailbox == key) & KeptMessage.uidl.is_in(list(gone))
            )
        now = utcnow()
        new = [KeptMessage(mailbox=key, uidl=uidl[:100], kept_at=now) for uidl in set(kept) - known]
        if new:
            await KeptMessage.insert(*new)
