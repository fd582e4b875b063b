"""What a campaign reader sees before it is sent: the edition's HTML, and how many people it reaches."""

import html
from typing import Any
from uuid import UUID

from content.feeds.links import FeedSite
from content.tables import EntryTranslation
from core.errors import NotFound
from newsletters.campaigns.audiences import Audience, audience_of
from newsletters.campaigns.drafts import frozen_content
from newsletters.campaigns.editions import edition_content, personal
from newsletters.rendering import EditionContent, greeting, render_edition
from newsletters.suppression import recipients
from newsletters.tables import Campaign, Template


async def reader_html(
    campaign_id: UUID, lang: str, site: FeedSite, audiences: dict[str, Audience] | None = None
) -> str:
    """The campaign's HTML part in `lang` as mailed, with an unnamed reader's greeting and links.

    A draft shows its entries as they read now (what a send would freeze); a later campaign shows
    the content it froze when it was sent. A campaign to another audience (`audiences`, see
    campaigns.audiences) shows that audience's footer and links.
    """
    row: dict[str, Any] | None = (
        await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    )
    if row is None:
        raise NotFound(f"no campaign {campaign_id}")
    if row["status"] == "draft" or not row["content"]:
        row = {**row, "content": await frozen_content(row, site)}
    template = await Template.select(Template.mjml).where(Template.id == row["template"]).first()
    assert template is not None
    content, labels = edition_content(row, lang), None
    audience = audience_of(row, audiences or {})
    if audience is not None:
        footer = await audience.footer(row["audience_spec"], lang, site.public_url)
        content, labels = (
            EditionContent(**{**content.__dict__, "archive_url": footer.page_url}),
            footer.labels,
        )
    edition = render_edition(template["mjml"], content, labels=labels)
    links = (
        audience.links(site.public_url, "", "preview")
        if audience is not None
        else personal(site.public_url, "", "preview", row["slug"])
    )
    values = {
        "greeting": greeting(lang, ""),
        "subscriber_name": "",
        "unsubscribe_url": links.unsubscribe_url,
        "preferences_url": links.preferences_url,
    }
    # The same slots the mail fills per recipient, filled once here, escaped as the mail's are.
    return (
        edition.placeholders.pattern()
        .sub(
            lambda match: html.escape(values.get(match.group(2).decode(), "")).encode(), edition.html.encode()
        )
        .decode()
    )


async def recipient_count(list_slugs: list[str]) -> int:
    """How many people a send to these lists would mail now, each address once."""
    if not list_slugs:
        return 0
    return sum([1 async for _ in recipients(list_slugs)])


async def entry_titles(ids: list[UUID], lang: str) -> list[tuple[UUID, str]]:
    """The picked entries' titles in `lang` (else the other language), in the order they were picked."""
    if not ids:
        return []
    rows = await EntryTranslation.select(
        EntryTranslation.entry, EntryTranslation.lang, EntryTranslation.title
    ).where(EntryTranslation.entry.is_in(ids))
    titles: dict[UUID, str] = {}
    for row in sorted(rows, key=lambda row: row["lang"] != lang):
        titles.setdefault(row["entry"], row["title"])
    return [(each, titles[each]) for each in ids if each in titles]
