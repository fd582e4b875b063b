"""A live `scmi` server for the fault tests, given time to start on a machine busy with other work."""

import contextlib
from pathlib import Path

from tests.service.test_command_line import scmi_process

STARTUP_SECONDS = 120


def live_scmi(
    env: dict[str, str], log_path: Path, command: str = "run"
) -> contextlib.AbstractContextManager[tuple[str, int]]:
    """`scmi run` (or `serve`) ready to answer within STARTUP_SECONDS; yields its URL and pid."""
    return scmi_process(env, log_path, command, startup_seconds=STARTUP_SECONDS, stop_seconds=30)
