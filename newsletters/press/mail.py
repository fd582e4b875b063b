"""The mail that carries a journalist's personal link, in their language, sent once per grant."""

from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Final
from uuid import UUID

from content.institution import SECRETARIAT
from content.tables import Entry, EntryTranslation
from core.db import utcnow, write_transaction
from newsletters.mail.transport import MailTransport, send_message
from newsletters.mime import date_header, domain_of, new_message_id
from newsletters.press.access import embargo_end
from newsletters.press.links import new_token, token_hash
from newsletters.press.wording import embargo_line
from newsletters.tables import PressGrant

# Tries at one mail before the sweep gives up (the staff listing shows it still unmailed), and the
# wait before it tries again: a queued job runs in seconds, so a grant this old and unmailed was lost.
MAX_ATTEMPTS: Final = 5
RETRY_AFTER: Final = timedelta(minutes=2)

TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "subject": "ემბარგო: {title}",
        "intro": "{site} გიზიარებთ მასალას „{title}“ მის გამოქვეყნებამდე.",
        "hold": "{embargo}. გთხოვთ, მანამდე არ გამოაქვეყნოთ ის ან მისი ნაწილი.",
        "link": "თქვენი პერსონალური ბმული (გთხოვთ, არ გადაუგზავნოთ სხვას):",
        "after": "ბმული მხოლოდ ამ მასალას აჩვენებს. ემბარგოს მოხსნის შემდეგ ის საჯარო ვერსიაზე გადაგიყვანთ.",
    },
    "en": {
        "subject": "Embargoed: {title}",
        "intro": "The {site} shares “{title}” with you before it is published.",
        "hold": "{embargo}. Please do not publish it, or any part of it, before then.",
        "link": "Your personal link (please do not forward it):",
        "after": "The link shows this material only. After the embargo lifts it leads to the public version.",
    },
}


def press_url(public_url: str, token: str) -> str:
    """The personal link's address on this service."""
    return f"{public_url}/press/{token}"


def press_message(*, lang: str, to: str, title: str, embargo: str, link: str, mail_from: str) -> EmailMessage:
    """One journalist's mail in their language."""
    texts = TEXTS.get(lang, TEXTS["ka"])
    message = EmailMessage()
    message["Subject"] = texts["subject"].format(title=title)
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = date_header()
    message["Message-ID"] = new_message_id(domain_of(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    site = SECRETARIAT.get(lang, SECRETARIAT["ka"])
    parts = [
        texts["intro"].format(site=site, title=title),
        texts["hold"].format(embargo=embargo),
        f"{texts['link']}\n{link}",
        texts["after"],
    ]
    message.set_content("\n\n".join(parts))
    message["Content-Language"] = lang
    return message


async def send_press_mail(
    grant_id: UUID, *, public_url: str, mail_from: str, transport: MailTransport
) -> bool:
    """Mail one grant its personal link; True when a mail went out.

    A revoked or already mailed grant, or an entry no longer under embargo, is not mailed. The token
    is made here and only its hash kept: were the job to run again after a failed send, the new
    mail's link is the one that works.
    """
    grant = await PressGrant.select(*PressGrant.all_columns()).where(PressGrant.id == grant_id).first()
    if grant is None or grant["revoked_at"] is not None or grant["mailed_at"] is not None:
        return False
    entry = await Entry.select(*Entry.all_columns()).where(Entry.id == grant["entry"]).first()
    until = None if entry is None else embargo_end(entry, utcnow())
    if until is None:
        return False
    titles = {
        row["lang"]: row["title"]
        for row in await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.title).where(
            EntryTranslation.entry == grant["entry"]
        )
    }
    lang = grant["lang"]
    token = new_token()
    async with write_transaction(PressGrant):
        await PressGrant.update(
            {
                PressGrant.token_hash: token_hash(token),
                PressGrant.attempts: PressGrant.attempts + 1,
                PressGrant.attempted_at: utcnow(),
            }
        ).where(PressGrant.id == grant_id)
    message = press_message(
        lang=lang,
        to=grant["email"],
        title=titles.get(lang) or next(iter(titles.values()), "—"),
        embargo=embargo_line(until, lang),
        link=press_url(public_url, token),
        mail_from=mail_from,
    )
    await send_message(transport, message)
    async with write_transaction(PressGrant):
        await PressGrant.update({PressGrant.mailed_at: utcnow()}).where(PressGrant.id == grant_id)
    return True


async def owed_press_mails(now: datetime | None = None) -> list[tuple[UUID, int]]:
    """Grants whose mail is owed and not under way: never mailed, not revoked, their entry still under
    embargo, untried or last tried `RETRY_AFTER` ago, fewer than `MAX_ATTEMPTS` tries; with their tries."""
    now = now or utcnow()
    stale = now - RETRY_AFTER
    rows = await PressGrant.select(PressGrant.id, PressGrant.entry, PressGrant.attempts).where(
        PressGrant.mailed_at.is_null()
        & PressGrant.revoked_at.is_null()
        & (PressGrant.attempts < MAX_ATTEMPTS)
        & (PressGrant.granted_at <= stale)
        & (PressGrant.attempted_at.is_null() | (PressGrant.attempted_at <= stale))
    )
    if not rows:
        return []
    entries = {
        row["id"]: row
        for row in await Entry.select(*Entry.all_columns()).where(
            Entry.id.is_in(list({r["entry"] for r in rows}))
        )
    }
    return [
        (row["id"], row["attempts"])
        for row in rows
        if row["entry"] in entries and embargo_end(entries[row["entry"]], now) is not None
    ]
