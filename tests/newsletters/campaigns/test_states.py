"""The campaign state machine called directly: draft, scheduled, sending, paused, resumed, sent or cancelled."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from core.errors import Conflict, NotFound
from newsletters.campaigns import ledger, states
from tests.conftest import Database
from tests.newsletters.campaigns.helpers import SITE, campaign_in, partners, sending_campaign


async def send_everything(campaign_id: UUID) -> None:
    """What the batches would do: claim every row and record it sent."""
    rows = await ledger.claim(campaign_id, 100, timedelta(minutes=1))
    await ledger.mark_sent([(row.id, f"<{n}@newsroom.test>") for n, row in enumerate(rows)])


async def test_a_campaign_goes_from_draft_through_a_pause_to_sent(db: Database) -> None:
    await partners("a@example.org", "b@example.org")
    draft = await states.create_campaign(campaign_in())
    assert (draft.status, draft.counts.recipients) == ("draft", 0)

    scheduled = await states.request_send(draft.id, None, SITE)
    assert scheduled.status == "scheduled" and scheduled.send_at is not None
    assert scheduled.counts.recipients == 0  # the ledger is written when sending starts
    assert await states.active_campaigns() == [(draft.id, "scheduled", 0)]

    assert await states.start_due(draft.id) == 1
    assert await states.start_due(draft.id) is None  # a second start writes nothing twice
    sending = await states.get_campaign(draft.id)
    assert (sending.status, sending.counts.recipients, sending.counts.pending) == ("sending", 2, 2)
    assert sending.started_at is not None

    assert (await states.pause_campaign(draft.id)).status == "paused"
    assert await states.active_campaigns() == []  # the reconciler leaves a paused campaign alone
    resumed = await states.resume_campaign(draft.id)
    assert resumed.status == "sending"
    assert await states.active_campaigns() == [(draft.id, "sending", 2)]  # a new round: old jobs stop

    assert not await states.finish_if_done(draft.id)  # rows are still open
    await send_everything(draft.id)
    assert await states.finish_if_done(draft.id)
    sent = await states.get_campaign(draft.id)
    assert (sent.status, sent.counts.sent, sent.counts.pending) == ("sent", 2, 0)
    assert sent.sent_at is not None
    assert not await states.finish_if_done(draft.id)  # only a sending campaign finishes
    assert [each.id for each in await states.list_campaigns()] == [draft.id]


async def test_a_campaign_paused_before_it_began_is_scheduled_again_when_resumed(db: Database) -> None:
    await partners("a@example.org")
    draft = await states.create_campaign(campaign_in())
    later = datetime.now(UTC) + timedelta(hours=1)
    assert (await states.request_send(draft.id, later, SITE)).send_at == later
    assert await states.start_due(draft.id) is None  # not due yet
    assert (await states.pause_campaign(draft.id)).status == "paused"
    resumed = await states.resume_campaign(draft.id)
    assert (resumed.status, resumed.started_at, resumed.counts.recipients) == ("scheduled", None, 0)


@pytest.mark.parametrize("state", ["draft", "scheduled", "sending", "paused"])
async def test_every_campaign_not_yet_sent_can_be_cancelled_and_then_nothing_more(
    db: Database, state: str
) -> None:
    campaign_id = await sending_campaign("a@example.org")
    if state in {"draft", "scheduled"}:
        other = await states.create_campaign(campaign_in(slug="other"))
        if state == "scheduled":
            await states.request_send(other.id, datetime.now(UTC) + timedelta(hours=1), SITE)
        campaign_id = other.id
    elif state == "paused":
        await states.pause_campaign(campaign_id)
    assert (await states.get_campaign(campaign_id)).status == state

    assert (await states.cancel_campaign(campaign_id)).status == "cancelled"
    for move in (states.pause_campaign, states.resume_campaign, states.cancel_campaign):
        with pytest.raises(Conflict, match="a cancelled campaign cannot"):
            await move(campaign_id)
    with pytest.raises(Conflict):
        await states.request_send(campaign_id, None, SITE)


async def test_moves_a_state_does_not_allow_are_refused(db: Database) -> None:
    await partners("a@example.org")
    draft = await states.create_campaign(campaign_in())
    with pytest.raises(Conflict, match="a draft campaign cannot pause"):
        await states.pause_campaign(draft.id)
    with pytest.raises(Conflict, match="a draft campaign cannot resume"):
        await states.resume_campaign(draft.id)
    await states.request_send(draft.id, None, SITE)
    with pytest.raises(Conflict, match="only a draft can be sent"):
        await states.request_send(draft.id, None, SITE)
    with pytest.raises(Conflict, match="only a draft can be changed"):
        await states.change_campaign(draft.id, campaign_in())
    with pytest.raises(Conflict, match="a scheduled campaign cannot resume"):
        await states.resume_campaign(draft.id)
    await states.start_due(draft.id)
    await send_everything(draft.id)
    await states.finish_if_done(draft.id)
    for move in (states.pause_campaign, states.resume_campaign, states.cancel_campaign):
        with pytest.raises(Conflict, match="a sent campaign cannot"):
            await move(draft.id)
    with pytest.raises(NotFound):
        await states.pause_campaign(uuid4())


async def test_a_draft_is_changed_and_its_content_refreshed_for_a_test_send(db: Database) -> None:
    await partners("a@example.org")
    draft = await states.create_campaign(campaign_in())
    changed = await states.change_campaign(draft.id, campaign_in(subject={"ka": "ახალი", "en": "New"}))
    assert changed.subject == {"ka": "ახალი", "en": "New"} and changed.slug == draft.slug
    await states.create_campaign(campaign_in(slug="taken"))
    with pytest.raises(Conflict, match="a campaign 'taken' exists"):
        await states.create_campaign(campaign_in(slug="taken"))
    await states.refresh_content(draft.id, SITE)  # a draft's content frozen for a test send, still a draft
    assert (await states.get_campaign(draft.id)).status == "draft"
