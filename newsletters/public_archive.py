"""The public web archive of sent campaigns: no personal data, no working personal links."""

import html
import re
from datetime import datetime
from typing import Any, Final

import lxml.html
import msgspec

from content.feeds.newsletters import SentNewsletter
from content.markup import render_body
from core.db import as_utc
from core.errors import NotFound
from newsletters.campaigns.editions import edition_content
from newsletters.rendering import LABELS, render_edition
from newsletters.tables import Campaign, Template

ARCHIVE_ITEMS: Final = 50


class ArchivedNewsletter(msgspec.Struct):
    """One sent newsletter in one language, as the archive lists it."""

    slug: str
    lang: str
    subject: str
    intro: str
    url: str
    sent_at: datetime
    entries: list[dict[str, str]]


# What the personal links point at while a newsletter is rendered for the archive, to find them.
PERSONAL_LINK: Final = "about:blank#personal"
_SEPARATOR: Final = re.compile(r"^\s*[·|•]\s*")
_SEPARATOR_END: Final = re.compile(r"\s*[·|•]\s*$")


def archive_url(public_url: str, lang: str, slug: str = "") -> str:
    """The archive's address: its index, or one newsletter."""
    return f"{public_url}/newsletters/{lang}/{slug}"


def _item(row: dict[str, Any], lang: str, public_url: str) -> ArchivedNewsletter:
    frozen = row["content"].get(lang, {})
    sent_at = as_utc(row["sent_at"])
    assert sent_at is not None
    return ArchivedNewsletter(
        slug=row["slug"],
        lang=lang,
        subject=row[f"subject_{lang}"],
        intro=row[f"intro_{lang}"],
        url=archive_url(public_url, lang, row["slug"]),
        sent_at=sent_at,
        entries=[
            {"title": e["title"], "summary": e["summary"], "url": e["url"]} for e in frozen.get("entries", [])
        ],
    )


async def archived(lang: str, public_url: str, *, limit: int = ARCHIVE_ITEMS) -> list[ArchivedNewsletter]:
    """Sent newsletters in a language, newest first."""
    rows = (
        await Campaign.select()
        .output(load_json=True)
        # Mail to an event's registrants is no newsletter: it stays out of the archive.
        .where((Campaign.status == "sent") & (Campaign.audience == ""))
        .order_by(Campaign.sent_at, ascending=False)
        .limit(limit)
    )
    return [_item(row, lang, public_url) for row in rows]


async def archived_newsletter(lang: str, slug: str, public_url: str) -> ArchivedNewsletter:
    """One sent newsletter as the archive lists it; NotFound unless it was sent."""
    row = await (
        Campaign.select()
        .output(load_json=True)
        .where((Campaign.slug == slug) & (Campaign.status == "sent") & (Campaign.audience == ""))
        .first()
    )
    if row is None:
        raise NotFound(f"no sent newsletter {slug!r}")
    return _item(row, lang, public_url)


async def archived_html(lang: str, slug: str, public_url: str) -> str:
    """A sent newsletter's HTML with an anonymous greeting and no links that look personal."""
    row = await (
        Campaign.select()
        .output(load_json=True)
        .where((Campaign.slug == slug) & (Campaign.status == "sent") & (Campaign.audience == ""))
        .first()
    )
    if row is None:
        raise NotFound(f"no sent newsletter {slug!r}")
    template = await Template.select(Template.mjml).where(Template.id == row["template"]).first()
    assert template is not None
    edition = render_edition(template["mjml"], edition_content(row, lang))
    anonymous = {
        "greeting": LABELS[lang]["greeting_anonymous"],
        "subscriber_name": "",
        "unsubscribe_url": PERSONAL_LINK,
        "preferences_url": PERSONAL_LINK,
    }
    page = (
        edition.placeholders.pattern()
        .sub(
            lambda match: html.escape(anonymous.get(match.group(2).decode(), "")).encode(),
            edition.html.encode(),
        )
        .decode()
    )
    return without_personal_links(page)


def without_personal_links(page: str) -> str:
    """The page with every link to a reader's own unsubscribe or preferences page taken out.

    Templates are the staff's, so the links are found by their address, not by the template's
    markup; the separators left beside a removed link (` · `, `|`) go with it.
    """
    tree = lxml.html.document_fromstring(page)
    for link in tree.xpath("//a[@href=$href]", href=PERSONAL_LINK):
        previous = link.getprevious()
        tail = _SEPARATOR.sub("", link.tail or "", count=1)
        if previous is not None:
            previous.tail = _SEPARATOR_END.sub("", previous.tail or "") + tail
        else:
            parent = link.getparent()
            parent.text = _SEPARATOR_END.sub("", parent.text or "") + tail
        link.getparent().remove(link)
    body: str = lxml.html.tostring(tree, encoding="unicode")
    return "<!doctype html>\n" + body


def newsletter_lookup(public_url: str) -> Any:
    """The feed's seam: sent newsletters in a language as `SentNewsletter`s."""

    async def lookup(lang: str) -> list[SentNewsletter]:
        return [
            SentNewsletter(
                guid=f"newsletter:{item.slug}:{lang}",
                url=item.url,
                subject=item.subject,
                intro=item.intro,
                body_html=render_body(item.intro)
                + "".join(
                    f'<p><a href="{html.escape(e["url"])}">{html.escape(e["title"])}</a></p>'
                    for e in item.entries
                ),
                sent_at=item.sent_at,
                lang=lang,
            )
            for item in await archived(lang, public_url)
        ]

    return lookup


async def newest_send() -> object:
    """When the newest newsletter was sent: the feeds' change marker for the archive (content.syndication)."""
    rows = await Campaign.raw("SELECT MAX(sent_at) AS newest FROM campaign WHERE status = 'sent'")
    return rows[0]["newest"] if rows else None
