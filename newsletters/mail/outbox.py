"""The file outbox: each message becomes one .eml file, written whole or not at all."""

import asyncio
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from newsletters.mail.errors import SendFailed


class OutboxTransport:
    """Write messages under a directory, for development and for setups without SMTP."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _write(self, message: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        final = self.directory / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        partial = final.with_suffix(".eml.part")
        partial.write_bytes(message)
        os.replace(partial, final)
        return final

    async def open(self) -> None:
        """Nothing to connect to."""

    async def send(self, sender: str, recipients: list[str], message: bytes) -> None:
        """Store the message; sender and recipients are in its headers already."""
        try:
            await asyncio.to_thread(self._write, message)
        except OSError as error:  # a full or unwritable disk: worth another try later
            raise SendFailed(str(error)) from error

    async def close(self) -> None:
        """Nothing to close."""
