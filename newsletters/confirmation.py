"""The confirmation mail of double opt-in, in the subscriber's language, and the job's domain step."""

from email.message import EmailMessage
from typing import Final
from uuid import UUID

from content.institution import COMMISSION, SECRETARIAT
from core.db import utcnow
from newsletters.bounces.verp import ReturnPaths
from newsletters.confirmation_html import confirmation_html
from newsletters.mail.transport import MailTransport, send_message
from newsletters.memberships import memberships_of
from newsletters.mime import date_header, domain_of, new_message_id
from newsletters.tables import MailingList, Subscriber
from newsletters.tokens import confirmation_token

TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "subject": f"დაადასტურეთ გამოწერა — {COMMISSION['ka']}",
        "greeting": "გამარჯობა{name},",
        "body": "ვიღაცამ (იმედია, თქვენ) ეს მისამართი გამოიწერა შემდეგი სიებისთვის: {lists}.\n"
        "გამოწერის დასადასტურებლად გახსენით ბმული (მოქმედებს 7 დღე):",
        "button": "გამოწერის დადასტურება",
        "link_label": "ღილაკი არ მუშაობს? გახსენით ეს ბმული:",
        "ignore": "თუ ეს თქვენ არ ყოფილხართ, უბრალოდ უგულებელყავით ეს წერილი — სხვა წერილს აღარ მიიღებთ.",
        "signature": SECRETARIAT["ka"],
    },
    "en": {
        "subject": f"Confirm your subscription — {COMMISSION['en']}",
        "greeting": "Hello{name},",
        "body": "Someone (we hope you) subscribed this address to these lists: {lists}.\n"
        "To confirm, open this link (valid for 7 days):",
        "button": "Confirm my subscription",
        "link_label": "Button not working? Open this link:",
        "ignore": "If it was not you, ignore this message: you will get no other.",
        "signature": SECRETARIAT["en"],
    },
}


def confirmation_message(
    *, to: str, name: str, lang: str, list_names: list[str], confirm_url: str, mail_from: str
) -> EmailMessage:
    """The confirmation message: text and HTML (multipart/alternative), both quoted-printable (7-bit)."""
    texts = TEXTS.get(lang, TEXTS["ka"])
    message = EmailMessage()
    message["Subject"] = texts["subject"]
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = date_header()
    message["Message-ID"] = new_message_id(domain_of(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    greeting = texts["greeting"].format(name=f" {name}" if name else "")
    body = texts["body"].format(lists=", ".join(list_names))
    text = "\n\n".join([greeting, body, confirm_url, texts["ignore"], "— " + texts["signature"]])
    message.set_content(text + "\n", charset="utf-8", cte="quoted-printable")
    html = confirmation_html(texts, lang=lang, greeting=greeting, body=body, url=confirm_url)
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return message


async def send_confirmation(
    subscriber_id: UUID,
    *,
    secret_key: str,
    public_url: str,
    mail_from: str,
    transport: MailTransport,
    return_paths: ReturnPaths | None = None,
) -> bool:
    """Mail a confirmation link if the subscriber still awaits one; False when there is nothing to confirm."""
    row = await Subscriber.select().where(Subscriber.id == subscriber_id).first()
    if row is None or row["email"] is None or row["status"] == "erased":
        return False
    pending = [
        slug for slug, item in (await memberships_of(subscriber_id)).items() if item["status"] == "pending"
    ]
    if not pending:
        return False
    lang = row["lang"]
    names = await MailingList.select(MailingList.slug, MailingList.name_ka, MailingList.name_en).where(
        MailingList.slug.is_in(pending)
    )
    list_names = sorted(item[f"name_{lang}"] for item in names)
    token = confirmation_token(secret_key, subscriber_id, utcnow())
    message = confirmation_message(
        to=row["email"],
        name=row["name"],
        lang=lang,
        list_names=list_names,
        confirm_url=f"{public_url}/subscriptions/confirm/{token}",
        mail_from=mail_from,
    )
    # A bounce of the confirmation comes back to a return path naming the subscriber (VERP).
    # Without BOUNCE_DOMAIN there is no return path of our own: the From address is used, as before.
    sender = return_paths.sender("", "s", subscriber_id) if return_paths is not None else ""
    await send_message(transport, message, sender=sender or None)
    return True
