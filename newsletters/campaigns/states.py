"""The campaign state machine: a bilingual draft, then scheduled, sending, paused, sent or cancelled."""

import secrets
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from content.feeds.links import FeedSite
from content.webhooks.events import CAMPAIGN_SENT, campaign_sent_data, record_event
from core.db import as_utc, utcnow, write_transaction
from core.errors import Conflict, NotFound
from newsletters.campaign_schemas import CampaignIn, CampaignOut
from newsletters.campaigns import ledger
from newsletters.campaigns.audiences import Audience, audience_of
from newsletters.campaigns.drafts import campaign_out, checked, free_slug, frozen_content
from newsletters.campaigns.progress import campaign_with_counts
from newsletters.tables import Campaign

# Sending -> sent happens when the ledger has nothing left (finish_if_done); the other moves are below.
PAUSABLE: Final = frozenset({"scheduled", "sending"})
CANCELLABLE: Final = frozenset({"draft", "scheduled", "sending", "paused"})


async def _row(campaign_id: UUID) -> dict[str, Any]:
    row = await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    if row is None:
        raise NotFound(f"no campaign {campaign_id}")
    return row


async def campaign_id_of(ref: str) -> UUID:
    """A campaign's id from its id or its slug (a UUID is an id); NotFound when no campaign has it."""
    try:
        return UUID(ref)
    except ValueError:
        pass
    row = await Campaign.select(Campaign.id).where(Campaign.slug == ref).first()
    if row is None:
        raise NotFound(f"no campaign {ref[:100]!r}")
    return UUID(str(row["id"]))


async def create_campaign(
    data: CampaignIn, *, mail_from: str = "", audience: tuple[str, dict[str, Any]] | None = None
) -> CampaignOut:
    """Save a draft; a sender left out is `mail_from`'s (MAIL_FROM). `audience` (kind, spec) addresses
    it to other people than lists (see campaigns.audiences)."""
    kind, spec = audience or ("", {})
    values = await checked(data, mail_from, audience=kind)
    values |= {Campaign.audience: kind, Campaign.audience_spec: spec}
    now = utcnow()
    async with write_transaction(Campaign):
        slug = await free_slug(data.slug or f"{now:%Y-%m-%d}-{secrets.token_hex(3)}")
        row = Campaign(slug=slug, status="draft", created_at=now, updated_at=now)
        for column, value in values.items():
            setattr(row, column._meta.name, value)
        await row.save()
    return await get_campaign(row.id)


async def change_campaign(campaign_id: UUID, data: CampaignIn, *, mail_from: str = "") -> CampaignOut:
    """Rewrite a draft; a sender left out is `mail_from`'s (MAIL_FROM)."""
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        values = await checked(data, mail_from, audience=row["audience"])
        if row["status"] != "draft":
            raise Conflict(f"only a draft can be changed; this campaign is {row['status']}")
        if data.slug is not None and data.slug != row["slug"]:
            values[Campaign.slug] = await free_slug(data.slug)
        await Campaign.update({**values, Campaign.updated_at: utcnow()}).where(Campaign.id == campaign_id)
    return await get_campaign(campaign_id)


async def get_campaign(campaign_id: UUID) -> CampaignOut:
    """A campaign with its counts (one statement: the console's progress page reads it every few seconds)."""
    return await campaign_with_counts(campaign_id)


async def list_campaigns() -> list[CampaignOut]:
    """Every campaign, newest first."""
    return [
        await campaign_out(row)
        for row in await Campaign.select()
        .output(load_json=True)
        .order_by(Campaign.created_at, ascending=False)
    ]


async def request_send(campaign_id: UUID, at: datetime | None, site: FeedSite) -> CampaignOut:
    """Schedule a draft for `at` (now when absent); its content is frozen here."""
    now = utcnow()
    when = as_utc(at) or now
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        if row["status"] != "draft":
            raise Conflict(f"only a draft can be sent; this campaign is {row['status']}")
        await Campaign.update(
            {
                Campaign.status: "scheduled",
                Campaign.send_at: max(when, now),
                Campaign.content: await frozen_content(row, site),
                Campaign.updated_at: now,
            }
        ).where(Campaign.id == campaign_id)
    return await get_campaign(campaign_id)


async def start_due(campaign_id: UUID, audiences: dict[str, Audience] | None = None) -> int | None:
    """Write the ledger of a scheduled campaign that is due and mark it sending: the round, or None.

    A campaign to an audience other than lists has its people from `audiences` (see campaigns.audiences).

    Ledger rows and the state change commit together, so a job that runs twice writes nothing twice.
    """
    now = utcnow()
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        send_at = as_utc(row["send_at"])
        if row["status"] != "scheduled" or (send_at is not None and send_at > now):
            return None
        audience = audience_of(row, audiences or {})
        people = audience.recipients(row["audience_spec"]) if audience is not None else None
        await ledger.write(campaign_id, list(row["lists"]), now, people)
        await Campaign.update(
            {Campaign.status: "sending", Campaign.started_at: now, Campaign.round: row["round"] + 1,
             Campaign.updated_at: now}
        ).where(Campaign.id == campaign_id)  # fmt: skip
        return int(row["round"]) + 1


async def _locked_row(campaign_id: UUID, allowed: frozenset[str], verb: str) -> dict[str, Any]:
    """The campaign's row inside the caller's write transaction, or Conflict when its state refuses `verb`."""
    row = await _row(campaign_id)
    if row["status"] not in allowed:
        raise Conflict(f"a {row['status']} campaign cannot {verb}")
    return row


async def _set_status(campaign_id: UUID, allowed: frozenset[str], verb: str, status: str) -> CampaignOut:
    """Move a campaign whose state allows `verb` to `status`, in one write transaction."""
    async with write_transaction(Campaign):
        await _locked_row(campaign_id, allowed, verb)
        await Campaign.update({Campaign.status: status, Campaign.updated_at: utcnow()}).where(
            Campaign.id == campaign_id
        )
    return await get_campaign(campaign_id)


async def pause_campaign(campaign_id: UUID) -> CampaignOut:
    """Pause a scheduled or sending campaign; batches check the state as they mark, so within one batch."""
    return await _set_status(campaign_id, PAUSABLE, "pause", "paused")


async def resume_campaign(campaign_id: UUID) -> CampaignOut:
    """Resume a paused campaign in a new round (the paused round's jobs stop); scheduled if it never began."""
    async with write_transaction(Campaign):
        row = await _locked_row(campaign_id, frozenset({"paused"}), "resume")
        await Campaign.update(
            {Campaign.status: "sending" if row["started_at"] is not None else "scheduled",
             Campaign.round: row["round"] + 1, Campaign.updated_at: utcnow()}
        ).where(Campaign.id == campaign_id)  # fmt: skip
    return await get_campaign(campaign_id)


async def cancel_campaign(campaign_id: UUID) -> CampaignOut:
    """Cancel a campaign that is not sent yet; what was sent stays sent, the rest is never sent."""
    return await _set_status(campaign_id, CANCELLABLE, "cancel", "cancelled")


async def finish_if_done(campaign_id: UUID) -> bool:
    """Mark a sending campaign sent when no delivery is left to try."""
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        if row["status"] != "sending" or await ledger.open_rows(campaign_id):
            return False
        now = utcnow()
        # Still sending as it is written: two batches finishing at once mark it sent once.
        marked = (
            await Campaign.update({Campaign.status: "sent", Campaign.sent_at: now, Campaign.updated_at: now})
            .where((Campaign.id == campaign_id) & (Campaign.status == "sending"))
            .returning(Campaign.id)
        )
        if not marked:
            return False
        # Owed to the website in the same transaction (what was sent, never to whom).
        await record_event(CAMPAIGN_SENT, campaign_sent_data(row, now))
    return True


async def active_campaigns() -> list[tuple[UUID, str, int]]:
    """Campaigns the reconciler looks after: (id, status, round) of scheduled and sending ones."""
    rows = await Campaign.select(Campaign.id, Campaign.status, Campaign.round).where(
        Campaign.status.is_in(["scheduled", "sending"])
    )
    return [(row["id"], row["status"], int(row["round"])) for row in rows]


async def refresh_content(campaign_id: UUID, site: FeedSite) -> None:
    """Freeze a draft's entries as they read now, for a test send."""
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        if row["status"] == "draft":
            await Campaign.update({Campaign.content: await frozen_content(row, site)}).where(
                Campaign.id == campaign_id
            )
