"""The publishing workflow through content.publishing, and what content.queries shows of each state."""

from datetime import UTC, datetime, timedelta

import pytest

from content.entries import create_entry
from content.publishing import archive_entry, publish_due_entries, publish_entry, unpublish_entry
from content.queries import find_entry_row, get_entry, list_entries
from content.revisions import list_revisions
from content.schemas import EntryIn, PublishIn, TranslationIn
from core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.conftest import Database
from tests.content.drafts import AUTHOR, EDITOR, bilingual, public_ids


def soon(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


async def test_an_editor_publishes_now_and_the_public_sees_it(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    assert await public_ids() == []
    before = datetime.now(UTC)
    published = await publish_entry("news", entry.id, PublishIn(), EDITOR)
    assert published.status == "published" and published.publish_at is None
    assert published.published_at is not None and before <= published.published_at <= datetime.now(UTC)
    assert await public_ids("news", "ka") == await public_ids("news", "en") == [entry.id]
    assert (await get_entry("news", entry.slug, None, "ka", staff=False)).id == entry.id
    latest = (await list_revisions("news", entry.id))[0]
    assert (latest.action, latest.staff_name, latest.changed) == (
        "publish", "Editor", ["published_at", "status"],
    )  # fmt: skip


async def test_only_editors_change_the_workflow(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    with pytest.raises(Forbidden):
        await publish_entry("news", entry.id, PublishIn(), AUTHOR)
    with pytest.raises(Forbidden):
        await publish_entry("news", entry.id, PublishIn(at=soon(hours=1)), AUTHOR)
    await publish_entry("news", entry.id, PublishIn(), EDITOR)
    with pytest.raises(Forbidden):
        await unpublish_entry("news", entry.id, AUTHOR)
    with pytest.raises(Forbidden):
        await archive_entry("news", entry.id, AUTHOR)
    assert [r.action for r in await list_revisions("news", entry.id)] == ["publish", "create"]


async def test_a_future_time_schedules_and_publish_due_entries_publishes_only_what_is_due(
    db: Database,
) -> None:
    due_at, later_at = soon(hours=1), soon(hours=3)
    due = await create_entry("news", bilingual("პირველი", "First"), EDITOR)
    later = await create_entry("news", bilingual("მეორე", "Second"), EDITOR)
    draft = await create_entry("news", bilingual("მესამე", "Third"), EDITOR)
    published_now = await create_entry("news", bilingual("მეოთხე", "Fourth"), EDITOR)
    await publish_entry("news", published_now.id, PublishIn(), EDITOR)
    scheduled = await publish_entry("news", due.id, PublishIn(at=due_at), EDITOR)
    assert (scheduled.status, scheduled.publish_at, scheduled.published_at) == ("scheduled", due_at, None)
    await publish_entry("news", later.id, PublishIn(at=later_at), EDITOR)
    assert await public_ids() == [published_now.id]

    assert await publish_due_entries(now=soon(minutes=1)) == []  # nothing due yet
    assert await publish_due_entries(now=due_at + timedelta(minutes=1)) == [due.id]
    assert await publish_due_entries(now=due_at + timedelta(minutes=1)) == []  # a second run finds it done

    now_published = await get_entry("news", str(due.id), None, "ka", staff=True)
    assert (now_published.status, now_published.publish_at) == ("published", None)
    assert now_published.published_at == due_at  # published as of its scheduled time, not of the run
    assert (await get_entry("news", str(later.id), None, "ka", staff=True)).status == "scheduled"
    assert (await get_entry("news", str(draft.id), None, "ka", staff=True)).status == "draft"
    latest = (await list_revisions("news", due.id))[0]
    assert (latest.action, latest.staff_id, latest.staff_name) == ("publish", None, "system")
    # Its published_at is an hour away in real time: the public does not see it before then.
    assert await public_ids() == [published_now.id]


async def test_a_time_in_the_past_publishes_at_once(db: Database) -> None:
    entry = await create_entry("news", bilingual(), EDITOR)
    published = await publish_entry("news", entry.id, PublishIn(at=soon(minutes=-5)), EDITOR)
    assert published.status == "published"
    assert await public_ids() == [entry.id]


async def test_a_published_entry_cannot_be_scheduled_until_unpublished(db: Database) -> None:
    entry = await create_entry("news", bilingual(), EDITOR)
    await publish_entry("news", entry.id, PublishIn(), EDITOR)
    with pytest.raises(Conflict):
        await publish_entry("news", entry.id, PublishIn(at=soon(hours=1)), EDITOR)
    await unpublish_entry("news", entry.id, EDITOR)
    assert (await publish_entry("news", entry.id, PublishIn(at=soon(hours=1)), EDITOR)).status == "scheduled"


async def test_an_embargo_hides_a_published_entry_until_it_lifts(db: Database) -> None:
    entry = await create_entry("news", bilingual(), EDITOR)
    embargoed = await publish_entry("news", entry.id, PublishIn(embargo_until=soon(hours=2)), EDITOR)
    assert embargoed.status == "published"
    assert await public_ids("news", "ka") == await public_ids("news", "en") == []
    with pytest.raises(NotFound):
        await find_entry_row("news", entry.slug, public=True)
    assert (await get_entry("news", entry.slug, None, "ka", staff=True)).id == entry.id
    # Publishing again with an embargo that has passed lifts it (status and published_at stay).
    lifted = await publish_entry("news", entry.id, PublishIn(embargo_until=soon(seconds=-1)), EDITOR)
    assert (lifted.status, lifted.published_at) == ("published", embargoed.published_at)
    assert await public_ids() == [entry.id]


async def test_archive_and_unpublish_move_between_states_and_refuse_a_repeat(db: Database) -> None:
    entry = await create_entry("news", bilingual(), EDITOR)
    with pytest.raises(Conflict):
        await unpublish_entry("news", entry.id, EDITOR)  # already a draft
    await publish_entry("news", entry.id, PublishIn(), EDITOR)
    assert (await archive_entry("news", entry.id, EDITOR)).status == "archived"
    assert await public_ids() == []
    with pytest.raises(Conflict):
        await archive_entry("news", entry.id, EDITOR)
    with pytest.raises(Conflict):
        await publish_entry("news", entry.id, PublishIn(), EDITOR)  # archived: back to draft first
    assert (await unpublish_entry("news", entry.id, EDITOR)).status == "draft"
    assert (await publish_entry("news", entry.id, PublishIn(), EDITOR)).status == "published"
    assert [r.action for r in await list_revisions("news", entry.id)] == [
        "publish", "unpublish", "archive", "publish", "create",
    ]  # fmt: skip


async def test_an_event_needs_its_start_before_it_is_published(db: Database) -> None:
    event = await create_entry("events", EntryIn(translations={"en": TranslationIn(title="Sitting")}), EDITOR)
    with pytest.raises(Invalid) as no_start:
        await publish_entry("events", event.id, PublishIn(), EDITOR)
    assert no_start.value.field == "starts_at"


async def test_the_public_sees_only_published_entries_out_of_embargo_and_staff_see_every_state(
    db: Database,
) -> None:
    draft = await create_entry("news", bilingual("დრაფტი", "Draft"), EDITOR)
    scheduled = await create_entry("news", bilingual("დაგეგმილი", "Scheduled"), EDITOR)
    await publish_entry("news", scheduled.id, PublishIn(at=soon(days=1)), EDITOR)
    embargoed = await create_entry("news", bilingual("ემბარგო", "Embargoed"), EDITOR)
    await publish_entry("news", embargoed.id, PublishIn(embargo_until=soon(hours=2)), EDITOR)
    archived = await create_entry("news", bilingual("არქივი", "Archived"), EDITOR)
    await publish_entry("news", archived.id, PublishIn(), EDITOR)
    await archive_entry("news", archived.id, EDITOR)
    unpublished = await create_entry("news", bilingual("მოხსნილი", "Unpublished"), EDITOR)
    await publish_entry("news", unpublished.id, PublishIn(), EDITOR)
    await unpublish_entry("news", unpublished.id, EDITOR)
    visible = await create_entry("news", bilingual("ხილული", "Visible"), EDITOR)
    await publish_entry("news", visible.id, PublishIn(), EDITOR)

    for lang in ("ka", "en"):
        assert await public_ids("news", lang) == [visible.id]
        for q in ("დრაფტი", "Draft", "Scheduled", "Embargoed", "Archived", "Unpublished"):
            assert await public_ids("news", lang, q=q) == []
        assert await public_ids("news", lang, q="Visible" if lang == "en" else "ხილული") == [visible.id]
    for entry in (draft, scheduled, embargoed, archived, unpublished):
        for ref in [str(entry.id), *[t.slug for t in entry.translations]]:
            with pytest.raises(NotFound):
                await get_entry("news", ref, None, "ka", staff=False)
            assert (await get_entry("news", ref, None, "ka", staff=True)).id == entry.id
    by_status = {
        status: [item.id for item in (await list_entries("news", "ka", status=status, staff=True)).items]
        for status in ("draft", "scheduled", "published", "archived")
    }
    assert by_status == {
        "draft": [unpublished.id, draft.id],  # by last change, newest first
        "scheduled": [scheduled.id],
        "published": [visible.id, embargoed.id],
        "archived": [archived.id],
    }
    with pytest.raises(Invalid):
        await list_entries("news", "ka", status="draft", staff=False)
