"""The slow relay's SMTP handler, in a module of its own so that the sink process starts fast."""

import asyncio
from typing import Any, Final

DELAY: Final = 0.1  # seconds the relay takes to answer each message


class SlowSink:
    """An aiosmtpd handler that takes every message and answers after DELAY (each connection apart)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(DELAY)
        return "250 OK"
