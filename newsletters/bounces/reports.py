"""Read a message from the bounce mailbox: a delivery report (RFC 3464), a complaint (RFC 5965), or neither.

Standard reports are read field by field; the common non-standard bounce formats (old Exim, qmail,
Exchange's and others' plain-text notices) go to `flufl.bounce`'s detectors. Anything else, and
anything that cannot be parsed at all, is None: the mailbox job keeps it for people.
"""

import email
import email.parser
import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses
from typing import Final, Literal

from flufl.bounce import all_failures

Kind = Literal["hard", "soft", "complaint"]
# Headers of a report that may carry the address it was delivered to: our VERP return path.
ENVELOPE_HEADERS: Final = (
    "To",
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "Return-Path",
)
MESSAGE_ID: Final = re.compile(r"^Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
STATUS: Final = re.compile(r"([245])\.\d{1,3}\.\d{1,3}")
MAX_REASON: Final = 300


@dataclass(frozen=True, slots=True)
class Report:
    """What a report says: its kind, whom it names, why, and where to look for the message it answers."""

    kind: Kind
    recipients: tuple[str, ...]
    reason: str
    report_id: str  # the report's Message-ID, else a digest of its bytes: the same report is read once
    verp_texts: tuple[str, ...]  # places a VERP return path may be written in
    message_ids: tuple[str, ...]  # the Message-ID of the original message, when the report quotes it


def report_id_of(raw: bytes, message: Message | None) -> str:
    """The report's own Message-ID, or a digest of its bytes when it has none."""
    own = str(message.get("Message-ID", "") or "").strip() if message is not None else ""
    return own[:300] if own else "sha256:" + hashlib.sha256(raw).hexdigest()


def read_report(raw: bytes) -> Report | None:
    """Classify one message; None for junk, auto-replies and anything unreadable (never raises)."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        return _read(raw, message)
    except Exception:
        return None


def _read(raw: bytes, message: Message) -> Report | None:
    report_type = str(message.get_param("report-type", "", header="content-type") or "").lower()
    if message.get_content_type() == "multipart/report" and report_type == "feedback-report":
        return _complaint(raw, message)
    if message.get_content_type() == "multipart/report" and report_type == "delivery-status":
        found = _delivery_status(raw, message)
        if found is not None:
            return found
    # Bounces are auto-replied (RFC 3834) as vacation notices are: the detectors tell them apart.
    return _non_standard(raw, message)


def _headers_of(part: Message) -> Message | None:
    """The quoted original of a report: a message/rfc822 part, or text/rfc822-headers."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    if isinstance(payload, str):
        return email.parser.HeaderParser(policy=email.policy.compat32).parsestr(payload)
    return None


def _original(message: Message) -> Message | None:
    for part in message.walk():
        if part is message:
            continue
        if part.get_content_type() in {"message/rfc822", "text/rfc822-headers"}:
            return _headers_of(part)
    return None


def _envelope_texts(message: Message, original: Message | None, *extra: str) -> tuple[str, ...]:
    texts = [str(value) for name in ENVELOPE_HEADERS for value in (message.get_all(name) or [])]
    if original is not None:
        texts += [str(value) for value in (original.get_all("Return-Path") or [])]
    return (*texts, *extra)


def _message_ids(original: Message | None, raw: bytes, own: str) -> tuple[str, ...]:
    found: list[str] = []
    if original is not None and original.get("Message-ID"):
        found.append(str(original["Message-ID"]).strip())
    # Plain-text bounces quote the original's headers in their body.
    found += [each for each in MESSAGE_ID.findall(raw.decode("utf-8", "replace")) if each != own]
    return tuple(dict.fromkeys(found))


def _address(field: object) -> str:
    """`rfc822; someone@example.org` (or a bare address) as the address."""
    text = str(field or "")
    _, _, value = text.rpartition(";")
    return value.strip().strip("<>").strip()


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    return []


def _delivery_status(raw: bytes, message: Message) -> Report | None:
    status_part = next((p for p in message.walk() if p.get_content_type() == "message/delivery-status"), None)
    if status_part is None:
        return None
    kind: Kind | None = None
    recipients: list[str] = []
    reasons: list[str] = []
    for block in _blocks(status_part)[1:] or _blocks(status_part):  # the first block is per message
        action = str(block.get("Action", "")).strip().lower()
        status = STATUS.search(str(block.get("Status", "")))
        recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient"))
        if action == "failed" and status is not None and status.group(1) == "5":
            this: Kind = "hard"
        elif action == "delayed" or (action == "failed" and status is not None and status.group(1) == "4"):
            this = "soft"
        else:
            continue  # delivered, relayed, expanded: good news, nothing to do
        kind = "hard" if "hard" in {kind, this} else this
        if recipient:
            recipients.append(recipient)
        diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
        reasons.append(" ".join(part for part in (status.group(0) if status else "", diagnostic) if part))
    if kind is None:
        return None
    original = _original(message)
    own = str(message.get("Message-ID", "")).strip()
    return Report(
        kind=kind,
        recipients=tuple(dict.fromkeys(recipients)),
        reason="; ".join(reasons)[:MAX_REASON],
        report_id=report_id_of(raw, message),
        verp_texts=_envelope_texts(message, original, raw.decode("utf-8", "replace")),
        message_ids=_message_ids(original, raw, own),
    )


def _complaint(raw: bytes, message: Message) -> Report | None:
    feedback = next((p for p in message.walk() if p.get_content_type() == "message/feedback-report"), None)
    if feedback is None:
        return None
    fields = _headers_of(feedback)
    if fields is None:
        return None
    if str(fields.get("Feedback-Type", "")).strip().lower() != "abuse":
        return None  # not-spam, auth-failure reports and the like are no complaint
    original = _original(message)
    recipients = [_address(value) for value in fields.get_all("Original-Rcpt-To") or []]
    if not recipients and original is not None:
        recipients = [address for _, address in getaddresses([str(v) for v in original.get_all("To") or []])]
    mail_from = [str(value) for value in fields.get_all("Original-Mail-From") or []]
    own = str(message.get("Message-ID", "")).strip()
    agent = " ".join(str(fields.get("User-Agent", "")).split())
    return Report(
        kind="complaint",
        recipients=tuple(dict.fromkeys(r for r in recipients if r)),
        reason=f"abuse report{' from ' + agent if agent else ''}"[:MAX_REASON],
        report_id=report_id_of(raw, message),
        verp_texts=_envelope_texts(message, original, *mail_from),
        message_ids=_message_ids(original, raw, own),
    )


def _non_standard(raw: bytes, message: Message) -> Report | None:
    if not message.get("From"):
        return None  # every bounce names its mailer; the detectors trip over junk without one
    temporary, permanent = all_failures(message)
    if not temporary and not permanent:
        return None
    kind: Kind = "hard" if permanent else "soft"
    recipients = sorted(permanent or temporary)
    subject = " ".join(str(message.get("Subject", "")).split())
    own = str(message.get("Message-ID", "")).strip()
    return Report(
        kind=kind,
        recipients=tuple(address.decode("utf-8", "replace") for address in recipients),
        reason=f"{'permanent' if permanent else 'temporary'} failure: {subject}"[:MAX_REASON],
        report_id=report_id_of(raw, message),
        # A plain-text bounce quotes the original's headers, its Return-Path among them, in its body.
        verp_texts=_envelope_texts(message, None, raw.decode("utf-8", "replace")),
        message_ids=_message_ids(None, raw, own),
    )
