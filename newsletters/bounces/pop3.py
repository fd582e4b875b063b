"""The bounce mailbox over POP3 (stdlib poplib, run in a thread): fetch what is new, delete what was read.

`pop3s://user:password@host:995` (TLS from the first byte) or `pop3://...:110` (STLS whenever the
server offers it). POP3 has one mailbox and no folders: a processed report is deleted, a message we
cannot read is left where it is for people, and the caller names those (by UIDL) so later runs do
not fetch them again.
"""

import contextlib
import poplib
import ssl
from collections.abc import Collection, Iterator
from typing import Final

from newsletters.bounces.mailbox_url import MailboxDown, MailboxUrl

TIMEOUT: Final = 30.0


@contextlib.contextmanager
def _session(box: MailboxUrl) -> Iterator[poplib.POP3]:
    try:
        if box.implicit_tls:
            client: poplib.POP3 = poplib.POP3_SSL(
                box.host, box.port, context=ssl.create_default_context(), timeout=TIMEOUT
            )
        else:
            client = poplib.POP3(box.host, box.port, timeout=TIMEOUT)
            with contextlib.suppress(poplib.error_proto):
                if "STLS" in client.capa():
                    client.stls(ssl.create_default_context())
        client.user(box.username)
        client.pass_(box.password)
    except (TimeoutError, OSError, poplib.error_proto) as error:
        raise MailboxDown(f"{box.host}:{box.port}: {error}") from error
    try:
        yield client
        client.quit()  # deletions take effect only here, when the session ends well
    except (OSError, poplib.error_proto) as error:
        raise MailboxDown(str(error)) from error
    finally:
        with contextlib.suppress(OSError):
            client.close()


def _numbers_by_uidl(client: poplib.POP3) -> dict[str, int]:
    _, lines, _ = client.uidl()
    found: dict[str, int] = {}
    for line in lines:
        number, _, uidl = line.decode("ascii", "replace").partition(" ")
        found[uidl.strip()] = int(number)
    return found


def _sizes(client: poplib.POP3) -> dict[int, int]:
    _, lines, _ = client.list()
    return {int(number): int(size) for number, size in (line.split()[:2] for line in lines)}


def fetch_sync(
    box: MailboxUrl, limit: int, max_bytes: int, skip: Collection[str] = ()
) -> tuple[list[tuple[str, bytes | None]], list[str]]:
    """Up to `limit` messages not in `skip`, oldest first, as (UIDL, bytes); and every UIDL there is.

    A message larger than `max_bytes` is not downloaded: its bytes are None (no report is that big).
    """
    with _session(box) as client:
        numbers = _numbers_by_uidl(client)
        sizes = _sizes(client)
        found: list[tuple[str, bytes | None]] = []
        for uidl, number in sorted(numbers.items(), key=lambda item: item[1]):
            if len(found) >= limit:
                break
            if uidl in skip:
                continue
            if sizes.get(number, 0) > max_bytes:
                found.append((uidl, None))
                continue
            _, lines, _ = client.retr(number)
            found.append((uidl, b"\r\n".join(lines) + b"\r\n"))
        return found, list(numbers)


def delete_sync(box: MailboxUrl, uidls: Collection[str]) -> None:
    """Delete these messages (by UIDL; ones already gone are fine)."""
    if not uidls:
        return
    with _session(box) as client:
        numbers = _numbers_by_uidl(client)
        for uidl in uidls:
            if uidl in numbers:
                client.dele(numbers[uidl])
