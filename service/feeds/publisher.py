"""The feeds of one app: its site addresses, the seams for covers and newsletters, and the cache."""

from redis.asyncio import Redis

from content.feeds.catalogue import FeedSpec
from content.feeds.links import FeedSite
from content.syndication import CoverLookup, NewsletterLookup, RenderedFeed, render_feed
from service.content_watch import ContentWatch
from service.feeds.cache import CachedFeed, FeedCache
from service.settings import Settings


def feed_site(settings: Settings) -> FeedSite:
    """The addresses and limits feeds are built with."""
    return FeedSite(
        public_url=settings.public_url,
        website_url=settings.resolved_website_url,
        url_template=settings.website_url_template,
        url_templates=dict(settings.website_url_templates),
        logo_url=settings.feed_logo_url or None,
        items=settings.feed_items,
        mail_logo_url=settings.mail_logo_url or None,
    )


class FeedPublisher:
    """Renders and caches the feeds, for the content version `watch` follows.

    `covers` is the seam for cover enclosures (the media library sets it to a lookup of asset
    url, size and mime); `newsletters` the seam for the archive of sent campaigns. Both default to
    none, which gives items without enclosures and an empty (valid) newsletter feed.
    """

    def __init__(
        self,
        settings: Settings,
        watch: ContentWatch,
        *,
        redis: Redis | None = None,
        covers: CoverLookup | None = None,
        newsletters: NewsletterLookup | None = None,
    ) -> None:
        self.site = feed_site(settings)
        self.covers = covers
        self.newsletters = newsletters
        self.cache = FeedCache(
            self._render,
            watch,
            redis=redis,
            prefix=settings.feed_cache_prefix,
            budget=settings.feed_cache_bytes,
        )

    async def _render(self, spec: FeedSpec) -> RenderedFeed:
        return await render_feed(spec, self.site, covers=self.covers, newsletters=self.newsletters)

    async def peek(self, spec: FeedSpec) -> CachedFeed | None:
        """The feed if this process holds it for the current version, else None (no render)."""
        return await self.cache.peek(spec)

    async def get(self, spec: FeedSpec) -> CachedFeed:
        """A feed ready to serve."""
        return await self.cache.get(spec)
