"""The welcome link mailed to an invited staff member, when an SMTP server is configured."""

from email.message import EmailMessage
from typing import Final, Literal

from newsletters.mail.errors import SendFailed
from newsletters.mail.transport import mail_route, send_message
from newsletters.mime import date_header, domain_of, new_message_id
from service.settings import Settings

Mailed = Literal["mailed", "failed", "not_configured"]
TIMEOUT: Final = 15.0  # seconds: the admin waits on this answer
TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "subject": "მოწვევა სამუშაო სივრცეში",
        "body": "თქვენ მოგიწვიეს მიგრაციის საკითხთა სამთავრობო კომისიის სამუშაო სივრცეში.\n\n"
        "პაროლის შესაქმნელად გახსენით ეს ბმული (ერთჯერადია, მოქმედებს 72 საათი):\n{link}",
    },
    "en": {
        "subject": "Your invitation to the console",
        "body": "You have been invited to the console of the State Commission on Migration Issues.\n\n"
        "Open this link to set your password (it works once, for 72 hours):\n{link}",
    },
}


def invitation_message(*, to: str, lang: str, link: str, mail_from: str) -> EmailMessage:
    """The invitation mail in the invitee's interface language."""
    texts = TEXTS.get(lang, TEXTS["ka"])
    message = EmailMessage()
    message["Subject"] = texts["subject"]
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = date_header()
    message["Message-ID"] = new_message_id(domain_of(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = lang
    message.set_content(texts["body"].format(link=link))
    return message


async def mail_invitation(settings: Settings, to: str, lang: str, link: str) -> Mailed:
    """Mail the welcome link through SMTP_URL; without one (the outbox default) the admin passes it on."""
    if not settings.smtp_url:
        return "not_configured"
    transport = mail_route(settings.smtp_url, settings.outbox_dir, timeout=TIMEOUT).transport()
    try:
        await transport.open()
        try:
            await send_message(
                transport, invitation_message(to=to, lang=lang, link=link, mail_from=settings.mail_from)
            )
        finally:
            await transport.close()
    except (SendFailed, OSError, TimeoutError):
        return "failed"  # the page still shows the link, to pass on another way
    return "mailed"
