"""The archive of sent newsletters as RSS 2.0 (campaigns feed it once they exist)."""

from dataclasses import dataclass
from datetime import datetime

from content.feeds.model import FeedItem, FeedMeta
from content.feeds.rss import build_rss


@dataclass(frozen=True, slots=True)
class SentNewsletter:
    """One newsletter as sent in one language: its web archive page and when it went out."""

    guid: str
    url: str
    subject: str
    intro: str
    body_html: str
    sent_at: datetime
    lang: str


def build_newsletter_rss(meta: FeedMeta, newsletters: list[SentNewsletter]) -> bytes:
    """An RSS 2.0 document of sent newsletters, newest first; valid when there are none yet."""
    ordered = sorted(newsletters, key=lambda sent: (sent.sent_at, sent.guid), reverse=True)
    items = [
        FeedItem(
            guid=sent.guid,
            url=sent.url,
            title=sent.subject,
            summary=sent.intro,
            content_html=sent.body_html,
            author="",
            published=sent.sent_at,
            updated=sent.sent_at,
            lang=sent.lang,
        )
        for sent in ordered
    ]
    return build_rss(meta, items)
