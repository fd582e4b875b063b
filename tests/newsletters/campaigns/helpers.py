"""A list with subscribers and a campaign to it, made through the domain functions (no HTTP)."""

from typing import Any
from uuid import UUID

from content.feeds.links import FeedSite
from newsletters.campaign_schemas import CampaignIn
from newsletters.campaigns import states
from newsletters.consent import Origin
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, ListNames, SubscriberIn
from newsletters.subscribers import add_subscriber

SITE = FeedSite(public_url="https://newsroom.test", website_url="https://newsroom.test")


async def partners(*addresses: str) -> None:
    """The list `partners` with these subscribers on it (English readers, added by staff)."""
    await create_list(ListIn(slug="partners", name=ListNames(ka="პარტნიორები", en="Partners")))
    for address in addresses:
        await add_subscriber(
            SubscriberIn(email=address, basis="partnership agreement", lists=["partners"], lang="en"),
            secret_key="test-key",
            origin=Origin(source="test"),
        )


def campaign_in(**extra: Any) -> CampaignIn:
    body: dict[str, Any] = {
        "template": "newsletter",
        "subject": {"ka": "სიახლეები", "en": "News"},
        "intro": {"ka": "ამბები.", "en": "Stories."},
        "lists": ["partners"],
        "from_name": "SCMI",
        "from_address": "newsroom@newsroom.test",
        **extra,
    }
    return CampaignIn(**body)


async def sending_campaign(*addresses: str) -> UUID:
    """A campaign to `partners` (made of `addresses`), started: its ledger written, round 1 sending."""
    await partners(*addresses)
    draft = await states.create_campaign(campaign_in())
    await states.request_send(draft.id, None, SITE)
    assert await states.start_due(draft.id) == 1
    return draft.id
