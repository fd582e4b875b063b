"""Jobs of the review workflow: tell the editors a draft waits, tell the author changes are asked for."""

from email.message import EmailMessage
from typing import Final
from uuid import UUID

from accounts.tables import Staff, StaffCredential
from content.tables import Entry, EntryComment, EntryTranslation
from newsletters.mail.transport import MailTransport, send_message
from newsletters.mime import date_header, domain_of, new_message_id
from tasks.context import JobContext

SUBMITTED: Final = "submitted"
CHANGES_REQUESTED: Final = "changes_requested"

TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "submitted_subject": "განსახილველად: {title}",
        "submitted_body": "{who}-მა განსახილველად გამოგზავნა „{title}“.",
        "changes_subject": "საჭიროა ცვლილებები: {title}",
        "changes_body": "{who} ითხოვს ცვლილებებს „{title}“-ში.",
        "note": "შენიშვნა:",
        "open": "გახსენით პანელში:",
        "opt_out": "ამ შეტყობინებების გამორთვა შეგიძლიათ პანელის პარამეტრებში.",
    },
    "en": {
        "submitted_subject": "For review: {title}",
        "submitted_body": "{who} submitted “{title}” for review.",
        "changes_subject": "Changes requested: {title}",
        "changes_body": "{who} asks for changes to “{title}”.",
        "note": "Note:",
        "open": "Open it in the console:",
        "opt_out": "You can turn these mails off in the console's settings.",
    },
}


async def _title(entry_id: UUID, lang: str) -> str:
    rows = await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.title).where(
        EntryTranslation.entry == entry_id
    )
    titles = {row["lang"]: row["title"] for row in rows}
    return titles.get(lang) or next(iter(titles.values()), "—")


async def _last_note(entry_id: UUID, action: str) -> tuple[str, str]:
    """The note of the latest step of that kind, and who wrote it."""
    row = (
        await EntryComment.select(EntryComment.body, EntryComment.staff_name)
        .where((EntryComment.entry == entry_id) & (EntryComment.action == action))
        .order_by(EntryComment.created_at, ascending=False)
        .first()
    )
    return (row["body"], row["staff_name"]) if row else ("", "")


def review_message(
    *, event: str, lang: str, to: str, title: str, who: str, note: str, link: str, mail_from: str
) -> EmailMessage:
    """One review mail in the recipient's interface language."""
    texts = TEXTS.get(lang, TEXTS["ka"])
    key = "submitted" if event == SUBMITTED else "changes"
    message = EmailMessage()
    message["Subject"] = texts[f"{key}_subject"].format(title=title)
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = date_header()
    message["Message-ID"] = new_message_id(domain_of(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    parts = [texts[f"{key}_body"].format(who=who, title=title)]
    if note:
        parts.append(f"{texts['note']}\n{note}")
    parts.append(f"{texts['open']}\n{link}")
    if event == SUBMITTED:
        parts.append(texts["opt_out"])
    message.set_content("\n\n".join(parts))
    message["Content-Language"] = lang
    return message


async def _recipients(event: str, entry: dict[str, object], actor_id: UUID | None) -> list[tuple[str, str]]:
    """(address, interface language) of whom to tell."""
    query = Staff.select(Staff.id, Staff.email, Staff.role).where(Staff.disabled_at.is_null())
    if event == SUBMITTED:
        query = query.where(Staff.role.is_in(["editor", "admin"]))
    else:
        query = query.where(Staff.id == entry["created_by"])
    people = [row for row in await query if row["id"] != actor_id]
    if not people:
        return []
    credentials = {
        row["staff"]: row
        for row in await StaffCredential.select(
            StaffCredential.staff, StaffCredential.interface_lang, StaffCredential.review_mails
        ).where(StaffCredential.staff.is_in([row["id"] for row in people]))
    }
    found: list[tuple[str, str]] = []
    for person in people:
        credential = credentials.get(person["id"])
        if event == SUBMITTED and credential is not None and not credential["review_mails"]:
            continue  # this editor turned review mails off
        found.append((person["email"], credential["interface_lang"] if credential else "ka"))
    return found


async def send_review_mails(
    event: str,
    entry_id: UUID,
    actor_id: UUID | None,
    *,
    public_url: str,
    mail_from: str,
    transport: MailTransport,
) -> int:
    """Mail everyone a review step concerns; returns how many mails went out."""
    entry = await Entry.select(Entry.id, Entry.kind, Entry.created_by).where(Entry.id == entry_id).first()
    if entry is None:
        return 0
    action = "submit" if event == SUBMITTED else "request_changes"
    note, who = await _last_note(entry_id, action)
    if not who:
        actor = await Staff.select(Staff.name, Staff.email).where(Staff.id == actor_id).first()
        who = (actor["name"] or actor["email"]) if actor else "—"
    link = f"{public_url}/console/{entry['kind']}/{entry_id}"
    sent = 0
    for address, lang in await _recipients(event, entry, actor_id):
        message = review_message(
            event=event,
            lang=lang,
            to=address,
            title=await _title(entry_id, lang),
            who=who,
            note=note,
            link=link,
            mail_from=mail_from,
        )
        await send_message(transport, message)
        sent += 1
    return sent


async def send_review_mail(ctx: JobContext, event: str, entry_id: str, actor_id: str | None) -> int:
    """The job: mail a review step's people (editors on submit, the author when changes are asked)."""
    settings = ctx["settings"]
    transport = ctx["mail"].transport()
    try:
        return await send_review_mails(
            event,
            UUID(entry_id),
            UUID(actor_id) if actor_id else None,
            public_url=settings.public_url,
            mail_from=settings.mail_from,
            transport=transport,
        )
    finally:
        await transport.close()
