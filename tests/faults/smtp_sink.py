"""An SMTP sink in a process of its own that logs every answer it gives, with faults chosen by address.

Run: `python -m tests.faults.smtp_sink PORT LOG [SECONDS]` (SECONDS: how long each message's answer takes). Each line of LOG is `event<TAB>recipient<TAB>Message-ID`,
written (O_APPEND, one write) before the answer goes out, so the log never misses a message the client
was told was accepted. Faults by the recipient's local part:

- `flaky-*`: 451 on the first RCPT, accepted afterwards (event `451`);
- `gone-*`: 550 on every RCPT (event `550`);
- `cut-*`: on the first try the connection is dropped in the DATA phase, after the message's data
  arrived and before the server answers it (event `cut`; not delivered); accepted afterwards;
- `dead-*`: the same drop on every try (event `cut`).
Everyone else is accepted (event `250`).
"""

import asyncio
import os
import re
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class FaultySink:
    """The handler: answers by the rules above and logs each answer."""

    def __init__(self, log_path: str, delay: float = 0.0) -> None:
        self.log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.delay = delay
        self.deferred: set[str] = set()
        self.cut: set[str] = set()

    def record(self, event: str, address: str, message_id: str = "") -> None:
        os.write(self.log, f"{event}\t{address}\t{message_id}\n".encode())

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        local = address.partition("@")[0]
        if local.startswith("gone-"):
            self.record("550", address)
            return "550 5.1.1 no such mailbox"
        if local.startswith("flaky-") and address not in self.deferred:
            self.deferred.add(address)
            self.record("451", address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        content = envelope.original_content or b""
        found = MESSAGE_ID.search(content.split(b"\r\n\r\n", 1)[0])
        message_id = found.group(1).decode() if found else ""
        [address] = envelope.rcpt_tos
        local = address.partition("@")[0]
        if local.startswith("dead-") or (local.startswith("cut-") and address not in self.cut):
            self.cut.add(address)
            self.record("cut", address, message_id)
            assert server.transport is not None
            server.transport.abort()  # hang up before answering the end of the data
            return "421 gone"
        self.record("250", address, message_id)
        return "250 Message accepted for delivery"


def main() -> None:
    port, log_path = int(sys.argv[1]), sys.argv[2]
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    controller = Controller(FaultySink(log_path, delay), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        asyncio.run(asyncio.Event().wait())  # until the test terminates us
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
