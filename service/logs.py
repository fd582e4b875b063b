"""Structured logs: JSON lines off a terminal, readable lines on one; no address, token or secret leaks."""

import json
import logging
import re
import sys
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any, Final, TextIO

import structlog
from structlog.typing import EventDict, Processor

from tasks.request_ids import request_id_var

_EMAIL: Final = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_TOKEN: Final = re.compile(r"\bscmi_[A-Za-z0-9_-]{16,}")
_BEARER: Final = re.compile(r"(?i)(bearer\s+)\S+")
_URL_PASSWORD: Final = re.compile(r"(://[^:/@\s]+:)[^@/\s]+@")
_SECRET_KEYS: Final = frozenset({"password", "token", "secret", "secret_key", "authorization", "cookie"})


def mask(text: str) -> str:
    """Hide addresses (n***@domain), tokens, bearer credentials and passwords in URLs."""
    # Each pattern needs one of these literals (a URL password its "@"): most lines have none.
    if "@" not in text and "scmi_" not in text and "bearer" not in text.lower():
        return text
    text = _TOKEN.sub("scmi_***", text)
    text = _BEARER.sub(r"\1***", text)
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _EMAIL.sub(r"\1***@\2", text)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {
            key: "***" if str(key).lower() in _SECRET_KEYS else _mask_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_mask_value(item) for item in value]
    return value


def mask_event(_: Any, __: str, event: EventDict) -> EventDict:
    """A structlog processor that masks personal data and secrets in every field."""
    for key in list(event):
        if key.lower() in _SECRET_KEYS:
            event[key] = "***"
        else:
            event[key] = _mask_value(event[key])
    return event


def add_request_id(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Stamp the id of the request (or job) being served on every line."""
    request_id = request_id_var.get()
    if request_id and "request_id" not in event:
        event["request_id"] = request_id
    return event


def configure_logging(
    level: str = "INFO", *, json_lines: bool | None = None, stream: TextIO | None = None
) -> None:
    """Route stdlib and structlog logging through one renderer, masking as it goes."""
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not stream.isatty()
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_request_id,
        structlog.stdlib.ExtraAdder(),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer("message") if json_lines else _identity,
            mask_event,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    _json_handler[:] = [handler] if json_lines else []
    root.setLevel(level)
    # We write one line per request ourselves; uvicorn's access line would repeat it unmasked.
    logging.getLogger("uvicorn.access").disabled = True
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _identity(_: Any, __: str, event: EventDict) -> EventDict:
    return event


# The handler configure_logging set up for JSON lines; the one-line-per-request log writes to it directly.
_json_handler: list[logging.StreamHandler[TextIO]] = []
_request_logger = logging.getLogger("scmi.request")
_request_log = structlog.get_logger("scmi.request")
_string: Final = json.encoder.encode_basestring  # a JSON string, non-ASCII kept (C when available)


def log_request(method: str, path: str, status: int, duration_ms: float) -> None:
    """The line every request leaves: the same fields as through structlog, written straight out.

    Through structlog and logging this line cost more than a cached answer; in the usual set-up
    (JSON lines, our handler alone on the root logger) it is built here with the same keys, masking
    and order. Any other set-up (a console, another handler, a test's capture) takes the long way.
    """
    handlers = _json_handler
    root = logging.root
    if (
        not handlers
        or root.handlers != handlers
        or _request_logger.handlers
        or not _request_logger.isEnabledFor(logging.INFO)
        or structlog.contextvars.get_contextvars()
    ):
        _request_log.info("request", method=method, path=path, status=status, duration_ms=duration_ms)
        return
    # The JSON json.dumps(..., ensure_ascii=False) gives for these keys, in this order, assembled by
    # hand: only the strings need encoding, and the encoder's C string escaper does that.
    request_id = request_id_var.get()
    handler = handlers[0]
    text = (
        f'{{"method": {_string(mask(method))}, "path": {_string(mask(path))}, "status": {int(status)}, '
        f'"duration_ms": {duration_ms!r}, "level": "info", "logger": "scmi.request", '
        f'"timestamp": "{datetime.now(UTC).isoformat().replace("+00:00", "Z")}", '
        + (f'"request_id": {_string(mask(request_id))}, ' if request_id else "")
        + f'"message": "request"}}{handler.terminator}'
    )
    handler.acquire()
    try:
        handler.stream.write(text)
        handler.flush()
    finally:
        handler.release()
