"""The mails of registration, in the registrant's language; those that hold a place carry the invitation."""

from email.message import EmailMessage
from typing import Final

from content.feeds.event_text import when_text
from content.feeds.model import EventInfo
from content.institution import SECRETARIAT
from newsletters.mime import date_header, domain_of, new_message_id
from registrations.invitation import EventFacts, invitation

# Which mails carry the event as an invitation, and with which method.
METHODS: Final[dict[str, str]] = {
    "registered": "REQUEST",
    "promoted": "REQUEST",
    "accredited": "REQUEST",
    "reminder": "REQUEST",
    "changed": "REQUEST",
    "cancelled": "CANCEL",
    "event_cancelled": "CANCEL",
}

TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "greeting": "გამარჯობა{name},",
        "confirm_subject": "დაადასტურეთ რეგისტრაცია — {title}",
        "confirm_body": "ვიღაცამ (იმედია, თქვენ) ეს მისამართი დაარეგისტრირა ღონისძიებაზე „{title}“.\n"
        "რეგისტრაციის დასადასტურებლად გახსენით ბმული და დააჭირეთ ღილაკს „დადასტურება“:",
        "confirm_ignore": "თუ ეს თქვენ არ ყოფილხართ, უბრალოდ უგულებელყავით ეს წერილი.",
        "registered_subject": "რეგისტრაცია დადასტურებულია — {title}",
        "registered_body": "თქვენთვის ადგილი დაჯავშნილია ღონისძიებაზე „{title}“.",
        "promoted_subject": "ადგილი გათავისუფლდა — {title}",
        "promoted_body": "მოლოდინის სიიდან თქვენ მიიღეთ ადგილი ღონისძიებაზე „{title}“.",
        "waitlisted_subject": "მოლოდინის სიაში ხართ — {title}",
        "waitlisted_body": "ღონისძიებაზე „{title}“ ადგილები შევსებულია: თქვენ მოლოდინის სიაში ხართ. "
        "ადგილის გათავისუფლებისას წერილს მიიღებთ.",
        "accreditation_pending_subject": "პრესის აკრედიტაციის მოთხოვნა მიღებულია — {title}",
        "accreditation_pending_body": "თქვენი მოთხოვნა პრესის აკრედიტაციაზე ღონისძიებისთვის „{title}“ "
        "განიხილება. გადაწყვეტილებას წერილით შეგატყობინებთ.",
        "accredited_subject": "აკრედიტებული ხართ — {title}",
        "accredited_body": "თქვენ აკრედიტებული ხართ ჟურნალისტად ღონისძიებაზე „{title}“.",
        "refused_subject": "პრესის აკრედიტაცია არ დაკმაყოფილდა — {title}",
        "refused_body": "სამწუხაროდ, თქვენი მოთხოვნა პრესის აკრედიტაციაზე ღონისძიებისთვის „{title}“ "
        "არ დაკმაყოფილდა.",
        "cancelled_subject": "რეგისტრაცია გაუქმებულია — {title}",
        "cancelled_body": "თქვენი რეგისტრაცია ღონისძიებაზე „{title}“ გაუქმებულია.",
        "reminder_subject": "შეხსენება — {title}",
        "reminder_body": "შეგახსენებთ, რომ ღონისძიება „{title}“ მალე დაიწყება.",
        "changed_subject": "ღონისძიება შეიცვალა — {title}",
        "changed_body": "ღონისძიების „{title}“ დრო ან ადგილი შეიცვალა. განახლებული მოსაწვევი თანდართულია.",
        "event_cancelled_subject": "ღონისძიება გაუქმებულია — {title}",
        "event_cancelled_body": "ღონისძიება „{title}“ გაუქმებულია.",
        "note": "შენიშვნა: {note}",
        "when": "როდის: {when}",
        "where": "სად: {where}",
        "page": "თქვენი რეგისტრაციის გვერდი (აქ შეგიძლიათ გააუქმოთ):",
        "signature": SECRETARIAT["ka"],
    },
    "en": {
        "greeting": "Hello{name},",
        "confirm_subject": "Confirm your registration — {title}",
        "confirm_body": "Someone (we hope you) registered this address for “{title}”.\n"
        "To confirm, open this link and press “Confirm”:",
        "confirm_ignore": "If it was not you, ignore this message.",
        "registered_subject": "Registration confirmed — {title}",
        "registered_body": "A place is kept for you at “{title}”.",
        "promoted_subject": "A place has come free — {title}",
        "promoted_body": "From the waiting list, you now have a place at “{title}”.",
        "waitlisted_subject": "You are on the waiting list — {title}",
        "waitlisted_body": "“{title}” is full: you are on the waiting list. We will mail you if a place "
        "comes free.",
        "accreditation_pending_subject": "Press accreditation request received — {title}",
        "accreditation_pending_body": "Your request for press accreditation for “{title}” is being "
        "reviewed. We will mail you the decision.",
        "accredited_subject": "You are accredited — {title}",
        "accredited_body": "You are accredited as a journalist for “{title}”.",
        "refused_subject": "Press accreditation not granted — {title}",
        "refused_body": "We are sorry: your request for press accreditation for “{title}” was not granted.",
        "cancelled_subject": "Registration cancelled — {title}",
        "cancelled_body": "Your registration for “{title}” is cancelled.",
        "reminder_subject": "Reminder — {title}",
        "reminder_body": "A reminder that “{title}” begins soon.",
        "changed_subject": "Event changed — {title}",
        "changed_body": "The time or place of “{title}” has changed. The updated invitation is attached.",
        "event_cancelled_subject": "Event cancelled — {title}",
        "event_cancelled_body": "“{title}” is cancelled.",
        "note": "Note: {note}",
        "when": "When: {when}",
        "where": "Where: {where}",
        "page": "Your registration's page (you can cancel there):",
        "signature": SECRETARIAT["en"],
    },
}


def registration_message(
    kind: str,
    facts: EventFacts,
    *,
    to: str,
    name: str,
    page_url: str,
    mail_from: str,
    note: str = "",
) -> EmailMessage:
    """One mail of `kind` (confirm, registered, waitlisted, promoted, … event_cancelled)."""
    texts = TEXTS.get(facts.lang, TEXTS["ka"])
    message = EmailMessage()
    message["Subject"] = texts[f"{kind}_subject"].format(title=facts.title)
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = date_header()
    message["Message-ID"] = new_message_id(domain_of(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    info = EventInfo(starts_at=facts.starts_at, ends_at=facts.ends_at, timezone=facts.timezone)
    parts = [
        texts["greeting"].format(name=f" {name}" if name else ""),
        texts[f"{kind}_body"].format(title=facts.title),
    ]
    if kind == "confirm":
        parts += [page_url, texts["confirm_ignore"]]
    else:
        facts_lines = [texts["when"].format(when=when_text(info))]
        if facts.location:
            facts_lines.append(texts["where"].format(where=facts.location))
        parts.append("\n".join(facts_lines))
        if note:
            parts.append(texts["note"].format(note=note))
        parts.append(f"{texts['page']}\n{page_url}")
    parts.append("— " + texts["signature"])
    message.set_content("\n\n".join(parts) + "\n", charset="utf-8", cte="quoted-printable")
    method = METHODS.get(kind)
    if method is not None:
        calendar = invitation(facts, organiser=_address(mail_from), attendee=to, name=name, method=method)
        # A text/calendar part with the method, as calendar clients expect of an invitation.
        message.add_attachment(
            calendar,
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": method},
        )
    message["Content-Language"] = facts.lang
    return message


def _address(mail_from: str) -> str:
    from email.utils import getaddresses

    return getaddresses([mail_from])[0][1]
