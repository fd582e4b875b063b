"""The public web archive of sent campaigns: no personal data, no working personal links."""

import html
from datetime import datetime
from typing import Any, Final

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
        .where(Campaign.status == "sent")
        .order_by(Campaign.sent_at, ascending=False)
        .limit(limit)
    )
    return [_item(row, lang, public_url) for row in rows]


async def archived_html(lang: str, slug: str, public_url: str) -> str:
    """A sent newsletter's HTML with an anonymous greeting, its personal links pointing to the archive."""
    row = await (
        Campaign.select()
        .output(load_json=True)
        .where((Campaign.slug == slug) & (Campaign.status == "sent"))
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
        "unsubscribe_url": archive_url(public_url, lang),
        "preferences_url": archive_url(public_url, lang),
    }
    return (
        edition.placeholders.pattern()
        .sub(
            lambda match: html.escape(anonymous.get(match.group(2).decode(), "")).encode(),
            edition.html.encode(),
        )
        .decode()
    )


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
