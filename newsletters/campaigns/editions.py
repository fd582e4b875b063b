"""A campaign's editions: rendered once per language and round, then personalised per recipient."""

from typing import Any
from urllib.parse import urlencode

from newsletters.campaigns.audiences import Audience
from newsletters.campaigns.drafts import LANGS
from newsletters.dkim_signing import DkimKey, sign
from newsletters.mime import PreparedMessage, Sender, list_id
from newsletters.rendering import EditionContent, EditionEntry, Personal, render_edition
from newsletters.tables import MailingList, Template

_cache: dict[tuple[Any, int], dict[str, PreparedMessage]] = {}


def edition_content(row: dict[str, Any], lang: str) -> EditionContent:
    """A campaign's frozen content in one language."""
    frozen = row["content"].get(lang, {})
    return EditionContent(
        lang=lang,
        subject=row[f"subject_{lang}"],
        intro=row[f"intro_{lang}"],
        entries=[edition_entry(e, lang) for e in frozen.get("entries", [])],
        archive_url=frozen.get("archive_url", ""),
        logo_url=frozen.get("logo_url", ""),
    )


def edition_entry(frozen: dict[str, Any], lang: str) -> EditionEntry:
    """One frozen entry as the edition in `lang` shows it; a cover's alt text falls back to the title."""
    cover = frozen.get("cover") or {}
    return EditionEntry(
        title=frozen["title"],
        summary=frozen["summary"],
        url=frozen["url"],
        kind=frozen.get("kind", "news"),
        image_url=cover.get("url"),
        image_alt=(cover.get("alt") or {}).get(lang) or frozen["title"],
        image_width=cover.get("width"),
        image_height=cover.get("height"),
    )


async def prepare(
    row: dict[str, Any], public_url: str, *, test: bool = False, audience: Audience | None = None
) -> dict[str, PreparedMessage]:
    """Render the campaign once per language (cached per round: every batch of the round reuses it).

    A campaign to another `audience` has that audience's footer and is not list mail (no List-* headers).
    """
    key = (row["id"], int(row["round"]))
    if key in _cache and not test:
        return _cache[key]
    template = await Template.select(Template.mjml).where(Template.id == row["template"]).first()
    assert template is not None
    host = public_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    lists = (
        await MailingList.select(MailingList.slug, MailingList.name_en).where(
            MailingList.slug.is_in(row["lists"])
        )
        if row["lists"]
        else []
    )
    list_name = ", ".join(each["name_en"] for each in lists)
    sender = Sender(
        from_name=row["from_name"], from_address=row["from_address"],
        list_id=list_id(row["lists"], host), reply_to=row["reply_to"],
    )  # fmt: skip
    messages = {}
    for lang in LANGS:
        content = edition_content(row, lang)
        labels: dict[str, str] = {}
        if audience is not None:
            footer = await audience.footer(row["audience_spec"], lang, public_url)
            labels = footer.labels
            content = EditionContent(**{**content.__dict__, "archive_url": footer.page_url})
        if test:
            content = EditionContent(**{**content.__dict__, "subject": f"[TEST] {content.subject}"})
        messages[lang] = PreparedMessage(
            render_edition(template["mjml"], content, labels=labels),
            sender,
            list_name=list_name,
            list_mail=audience is None,
        )
    if not test:
        if len(_cache) > 32:
            _cache.clear()
        _cache[key] = messages
    return messages


def personal(public_url: str, name: str, token: str, campaign: str = "") -> Personal:
    """The recipient's own links; the unsubscribe link names the campaign, whose lists it leaves."""
    # Links mailed before campaigns were named in them carry no `campaign` and leave every list.
    query = f"?{urlencode({'campaign': campaign})}" if campaign else ""
    return Personal(
        name=name,
        unsubscribe_url=f"{public_url}/subscriptions/unsubscribe/{token}{query}",
        preferences_url=f"{public_url}/subscriptions/preferences/{token}",
    )


def letter(
    messages: dict[str, PreparedMessage],
    lang: str,
    address: str,
    links: Personal,
    dkim: DkimKey | None,
    *,
    test: bool = False,
) -> tuple[bytes, str]:
    """One recipient's message in their language (else Georgian), signed, and its Message-ID."""
    message, message_id = messages[lang if lang in messages else "ka"].personalise(address, links)
    if test:
        message = b"X-SCMI-Test: yes\r\n" + message
    if dkim is not None:
        message = sign(message, dkim)
    return message, message_id
