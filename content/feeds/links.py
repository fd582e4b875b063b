"""Where things live: public pages of entries on the website, feeds on the API, stable ids."""

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import quote
from uuid import UUID, uuid5

from content.feeds.catalogue import FeedSpec

PLACEHOLDERS: Final = frozenset({"website_url", "public_url", "lang", "kind", "slug", "id"})
DEFAULT_TEMPLATE: Final = "{website_url}/{lang}/{kind}/{slug}"
# Fixed namespace for feed and item ids: they must never change, whatever the host is called.
ID_NAMESPACE: Final = UUID("6f1c2a2e-4b9a-5d3e-9a57-5c4d0b1e7a10")


def check_template(template: str) -> None:
    """Refuse a URL template with an unknown or malformed placeholder."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ValueError(f"URL template {template!r} is malformed: {error}") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValueError(f"URL template {template!r} has unknown placeholders: {', '.join(sorted(unknown))}")


@dataclass(frozen=True, slots=True)
class FeedSite:
    """The addresses and limits feeds are built with (from the settings)."""

    public_url: str
    website_url: str
    url_template: str = DEFAULT_TEMPLATE
    url_templates: Mapping[str, str] = field(default_factory=dict)
    logo_url: str | None = None
    items: int = 50
    mail_logo_url: str | None = None  # the logo newsletters show in their header (MAIL_LOGO_URL)

    def entry_url(self, kind: str, lang: str, slug: str, entry_id: UUID) -> str:
        """The public page of an entry in one language."""
        template = self.url_templates.get(kind, self.url_template)
        return template.format(
            website_url=self.website_url,
            public_url=self.public_url,
            lang=lang,
            kind=kind,
            slug=quote(slug, safe=""),
            id=entry_id,
        )

    def feed_url(self, spec: FeedSpec) -> str:
        """The absolute address of a feed."""
        return f"{self.public_url}{spec.path}"

    def home_url(self, lang: str) -> str:
        """The website's home page in a language."""
        return f"{self.website_url}/{lang}/"


def item_guid(entry_id: UUID, lang: str) -> str:
    """The permanent id of an entry's translation in feeds (RSS guid, Atom id, JSON id, iCal UID)."""
    return f"urn:uuid:{uuid5(entry_id, lang)}"


def feed_id(spec: FeedSpec) -> str:
    """The permanent id of a feed."""
    return f"urn:uuid:{uuid5(ID_NAMESPACE, spec.path)}"
