"""Digests: a campaign drafted from the entries published since a time."""

from datetime import datetime
from typing import Final
from uuid import UUID

from content.queries import public_entry_ids
from content.tables import Entry
from core.db import utcnow
from core.errors import Invalid
from newsletters.campaign_schemas import CampaignIn, CampaignOut
from newsletters.campaigns.states import create_campaign

MAX_DIGEST_ENTRIES: Final = 30
SUBJECTS: Final = {"ka": "კვირის მიმოხილვა", "en": "Weekly digest"}
INTROS: Final = {
    "ka": "კომისიის სიახლეები {since}-დან.",
    "en": "The Commission's news since {since}.",
}


async def entries_since(since: datetime) -> list[str]:
    """Ids of the public entries published since `since`, oldest first."""
    rows = (
        await Entry.select(Entry.id)
        .where(Entry.id.is_in(public_entry_ids()) & (Entry.published_at >= since))
        .order_by(Entry.published_at)
        .limit(MAX_DIGEST_ENTRIES)
    )
    return [str(row["id"]) for row in rows]


async def draft_digest(
    since: datetime, lists: list[str], *, from_name: str, from_address: str, template: str = "digest"
) -> CampaignOut | None:
    """A draft of the digest template with the entries since then; None when there are none."""
    if since.tzinfo is None or since > utcnow():
        raise Invalid("since is a past time with a time zone", field="since")
    entries = await entries_since(since)
    if not entries:
        return None
    day = f"{since:%Y-%m-%d}"
    return await create_campaign(
        CampaignIn(
            template=template,
            subject={lang: f"{subject} — {utcnow():%Y-%m-%d}" for lang, subject in SUBJECTS.items()},
            intro={lang: intro.format(since=day) for lang, intro in INTROS.items()},
            entries=[UUID(each) for each in entries],
            lists=lists,
            from_name=from_name,
            from_address=from_address,
        )
    )
