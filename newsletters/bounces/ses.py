"""Amazon SES notifications (the `Message` of a verified SNS notification): bounces and complaints.

Both SES shapes are read: feedback notifications (`notificationType`) and event publishing
(`eventType`). A permanent bounce is hard, a transient or undetermined one soft; a complaint is a
complaint unless its feedback type is `not-spam`. Deliveries and other events change nothing.
"""

import json
from typing import Any, Final

from newsletters.bounces.effects import Incoming, Kind
from newsletters.bounces.verp import find_verp

MAX_REASON: Final = 300


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _message_ids(mail: dict[str, Any]) -> tuple[str, ...]:
    # Our own Message-ID, as the mail carried it (SES names its own id `messageId` too: not ours).
    found: list[str] = []
    common = mail.get("commonHeaders")
    if isinstance(common, dict) and _text(common.get("messageId")):
        found.append(_text(common.get("messageId")))
    for header in mail.get("headers") or []:
        if isinstance(header, dict) and _text(header.get("name")).lower() == "message-id":
            found.append(_text(header.get("value")))
    return tuple(dict.fromkeys(each for each in found if each))


def _bounce(body: dict[str, Any]) -> tuple[Kind, list[tuple[str, str]]] | None:
    bounce = body.get("bounce")
    if not isinstance(bounce, dict):
        return None
    kind: Kind = "hard" if _text(bounce.get("bounceType")) == "Permanent" else "soft"
    general = " / ".join(filter(None, (_text(bounce.get("bounceType")), _text(bounce.get("bounceSubType")))))
    people = []
    for each in bounce.get("bouncedRecipients") or []:
        if isinstance(each, dict) and _text(each.get("emailAddress")):
            reason = _text(each.get("diagnosticCode")) or _text(each.get("status")) or general
            people.append((_text(each.get("emailAddress")), reason or f"{kind} bounce (Amazon SES)"))
    return kind, people


def _complaint(body: dict[str, Any]) -> tuple[Kind, list[tuple[str, str]]] | None:
    complaint = body.get("complaint")
    if not isinstance(complaint, dict):
        return None
    feedback = _text(complaint.get("complaintFeedbackType"))
    if feedback == "not-spam":
        return None
    reason = f"complaint ({feedback or 'reported'}) through Amazon SES"
    people = [
        (_text(each.get("emailAddress")), reason)
        for each in complaint.get("complainedRecipients") or []
        if isinstance(each, dict) and _text(each.get("emailAddress"))
    ]
    return "complaint", people


def incomings(message: str, notification_id: str, secret_key: str) -> list[Incoming]:
    """The bounces and complaints one SES notification reports (none for deliveries and the like).

    `notification_id` (the SNS MessageId) names the report: the same notification posted again is
    recognised and counts once.
    """
    try:
        body = json.loads(message)
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    what = _text(body.get("notificationType")) or _text(body.get("eventType"))
    found = _bounce(body) if what == "Bounce" else _complaint(body) if what == "Complaint" else None
    if found is None:
        return []
    kind, people = found
    mail: dict[str, Any] = body["mail"] if isinstance(body.get("mail"), dict) else {}
    verp = find_verp(secret_key, [_text(mail.get("source")), _text(mail.get("returnPath"))])
    message_ids = _message_ids(mail)
    return [
        Incoming(
            kind=kind,
            source="ses",
            email=address,
            verp=verp if len(people) == 1 else None,  # a return path names one delivery, one person
            message_ids=message_ids,
            reason=reason[:MAX_REASON],
            report_id=f"sns:{notification_id}:{number}"[:300],
            recipients=(address,),
        )
        for number, (address, reason) in enumerate(people)
    ]
