"""The review state machine in the domain: submit, request changes, the author taking it back, comments."""

from datetime import UTC, datetime

import pytest

from content.entries import create_entry, update_entry
from content.publishing import publish_entry
from content.queries import get_entry, list_entries
from content.revisions import get_revision, list_revisions
from content.schemas import EntryPatch, PublishIn, TranslationPatch
from content.staff_lists import StaffFilters, staff_list
from content.workflow.comments import add_comment, list_comments
from content.workflow.request_changes import request_changes
from content.workflow.restore import restore_revision
from content.workflow.submit import submit_entry
from core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.conftest import Database
from tests.content.drafts import AUTHOR, EDITOR, OTHER_AUTHOR, bilingual, public_ids


async def test_submit_request_changes_resubmit_publish(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    submitted = await submit_entry("news", entry.id, AUTHOR, "  please look  ")
    assert submitted.status == "in_review"
    assert await public_ids("news", "ka") == []
    assert [item.id for item in (await list_entries("news", "ka", status="in_review", staff=True)).items] == [
        entry.id
    ]
    back = await request_changes("news", entry.id, EDITOR, "Fix the **English** title")
    assert back.status == "draft"
    notes = await list_comments("news", entry.id)
    assert [(n.action, n.body, n.staff_name) for n in notes] == [
        ("submit", "  please look  ", "Author"),
        ("request_changes", "Fix the **English** title", "Editor"),
    ]
    assert "<strong>English</strong>" in notes[1].body_html
    await submit_entry("news", entry.id, AUTHOR)
    published = await publish_entry("news", entry.id, PublishIn(), EDITOR)
    assert published.status == "published"
    assert await public_ids("news", "ka") == [entry.id]
    assert [r.action for r in await list_revisions("news", entry.id)] == [
        "publish", "submit", "request_changes", "submit", "create",
    ]  # fmt: skip


async def test_an_author_editing_their_entry_in_review_takes_it_back_to_draft(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await submit_entry("news", entry.id, AUTHOR)
    patch = EntryPatch(translations={"en": TranslationPatch(title="Better title")})
    edited = await update_entry("news", entry.id, patch, AUTHOR)
    assert edited.status == "draft"
    await submit_entry("news", entry.id, AUTHOR)
    # An editor's edit leaves it in review.
    edited = await update_entry(
        "news", entry.id, EntryPatch(translations={"en": TranslationPatch(title="Best")}), EDITOR
    )
    assert edited.status == "in_review"
    page = await staff_list("news", "ka", StaffFilters(status="in_review"))
    assert [row.id for row in page.rows] == [entry.id]


async def test_every_wrong_move_is_refused_and_changes_nothing(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    with pytest.raises(Forbidden):
        await submit_entry("news", entry.id, OTHER_AUTHOR)
    with pytest.raises(Conflict):
        await request_changes("news", entry.id, EDITOR, "not in review")
    await submit_entry("news", entry.id, AUTHOR)
    with pytest.raises(Conflict):
        await submit_entry("news", entry.id, AUTHOR)
    with pytest.raises(Forbidden):
        await request_changes("news", entry.id, AUTHOR, "authors cannot")
    for note in (None, "", "   "):
        with pytest.raises(Invalid) as refused:
            await request_changes("news", entry.id, EDITOR, note)
        assert refused.value.field == "note"
    with pytest.raises(Invalid):
        await add_comment("news", entry.id, AUTHOR, "  ")
    with pytest.raises(Forbidden):
        await update_entry("news", entry.id, EntryPatch(topics=[]), OTHER_AUTHOR)
    with pytest.raises(NotFound):
        await restore_revision("news", entry.id, 9, EDITOR)
    with pytest.raises(Forbidden):
        await restore_revision("news", entry.id, 1, AUTHOR)
    assert (await get_entry("news", str(entry.id), None, "ka", staff=True)).status == "in_review"
    assert [r.action for r in await list_revisions("news", entry.id)] == ["submit", "create"]
    assert await list_comments("news", entry.id) == []


async def test_comments_are_sanitised_and_kept_in_order(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    first = await add_comment("news", entry.id, EDITOR, "<script>alert(1)</script>\n\nLooks *good*")
    await add_comment("news", entry.id, AUTHOR, "Thanks")
    assert "<script>" not in first.body_html and "<em>good</em>" in first.body_html
    assert [c.body for c in await list_comments("news", entry.id)] == [first.body, "Thanks"]


async def test_a_revision_shows_its_diff_and_restore_makes_a_new_revision_equal_to_it(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await update_entry(
        "news", entry.id, EntryPatch(translations={"en": TranslationPatch(title="Second title")}), AUTHOR
    )
    second = await get_revision("news", entry.id, 2)
    assert [(c.field, c.old, c.new) for c in second.diff] == [
        ("translations.en.title", "A sitting of the State Commission", "Second title")
    ]
    first = await get_revision("news", entry.id, 1)
    assert {c.field for c in first.diff} >= {"translations.ka.title", "translations.en.title"}
    with pytest.raises(NotFound):
        await get_revision("news", entry.id, 3)
    restored = await restore_revision("news", entry.id, 1, EDITOR)
    assert restored.revision == 3
    assert restored.sources["en"].title == "A sitting of the State Commission"  # type: ignore[index]
    third = await get_revision("news", entry.id, 3)
    assert third.action == "restore"
    assert [(c.field, c.new) for c in third.diff] == [
        ("translations.en.title", "A sitting of the State Commission")
    ]
    assert [r.number for r in await list_revisions("news", entry.id)] == [3, 2, 1]


async def test_restore_brings_back_an_events_times(db: Database) -> None:
    data = bilingual()
    data.starts_at = datetime(2026, 12, 18, 6, 0, tzinfo=UTC)
    entry = await create_entry("events", data, AUTHOR)
    await update_entry(
        "events", entry.id, EntryPatch(starts_at=datetime(2027, 1, 5, 6, 0, tzinfo=UTC)), AUTHOR
    )
    restored = await restore_revision("events", entry.id, 1, EDITOR)
    assert restored.starts_at == datetime(2026, 12, 18, 6, 0, tzinfo=UTC)
    assert (await get_revision("events", entry.id, 3)).diff[0].field == "starts_at"
