"""Writing entries through content.entries with an Actor: drafts, edits and their revisions, slugs, who may edit."""

from datetime import UTC, datetime

import pytest

from content.entries import create_entry, update_entry
from content.publishing import publish_entry
from content.queries import find_entry_row, get_entry
from content.revisions import list_revisions, load_entry
from content.schemas import EntryIn, EntryPatch, PublishIn, TopicIn, TranslationIn, TranslationPatch
from content.topics import create_topic
from core.errors import Forbidden, Invalid, NotFound
from tests.conftest import Database
from tests.content.drafts import AUTHOR, EDITOR, ENGLISH_TITLE, GEORGIAN_TITLE, OTHER_AUTHOR, bilingual

STARTS = datetime(2026, 12, 18, 10, tzinfo=UTC)
IN_TBILISI = {"ka": TranslationIn(title="სხდომა", location="თბილისი")}


async def test_create_makes_a_draft_with_a_slug_per_language_and_a_first_revision(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    assert (entry.status, entry.revision, entry.created_by, entry.author) == ("draft", 1, AUTHOR.id, "Author")
    assert {ref.lang: ref.slug for ref in entry.translations} == {
        "ka": "sakhelmtsipo-komisiis-skhdoma",
        "en": "a-sitting-of-the-state-commission",
    }
    assert entry.sources["ka"].body_html == "<p>კომისიამ <strong>დაამტკიცა</strong>.</p>\n"
    [revision] = await list_revisions("news", entry.id)
    assert (revision.number, revision.action, revision.staff_id, revision.staff_name) == (
        1, "create", AUTHOR.id, "Author",
    )  # fmt: skip
    assert revision.changed == ["created", "translations.en", "translations.ka"]


async def test_create_checks_the_fields_of_each_kind(db: Database) -> None:
    with pytest.raises(Invalid) as wrong_kind:
        await create_entry("news", EntryIn(translations=bilingual().translations, deadline=STARTS), AUTHOR)
    assert wrong_kind.value.field == "deadline"
    with pytest.raises(Invalid) as no_location:
        await create_entry("news", EntryIn(translations=IN_TBILISI), AUTHOR)
    assert no_location.value.field == "translations.ka.location"
    backwards_event = EntryIn(translations=IN_TBILISI, starts_at=STARTS, ends_at=STARTS.replace(hour=9))
    with pytest.raises(Invalid) as backwards:
        await create_entry("events", backwards_event, AUTHOR)
    assert backwards.value.field == "ends_at"
    with pytest.raises(Invalid) as zone:
        await create_entry(
            "events", EntryIn(translations=IN_TBILISI, starts_at=STARTS, timezone="Mars/Olympus"), AUTHOR
        )
    assert zone.value.field == "timezone"
    event = await create_entry("events", EntryIn(translations=IN_TBILISI, starts_at=STARTS), AUTHOR)
    assert (event.timezone, event.location, event.cancelled) == ("Asia/Tbilisi", "თბილისი", False)


async def test_each_update_is_a_revision_naming_the_fields_it_changed(db: Database) -> None:
    await create_topic(TopicIn(slug="migration", name={"ka": "მიგრაცია", "en": "Migration"}))
    entry = await create_entry("news", bilingual(), AUTHOR)
    summary = EntryPatch(translations={"en": TranslationPatch(summary="New summary")})
    changed = await update_entry("news", entry.id, summary, AUTHOR)
    assert changed.revision == 2
    assert changed.sources["en"].summary == "New summary"
    assert changed.sources["en"].title == ENGLISH_TITLE  # fields left out stay as they were
    tagged = await update_entry("news", entry.id, EntryPatch(topics=["migration"]), EDITOR)
    assert [topic.slug for topic in tagged.topics] == ["migration"]
    await update_entry(
        "news", entry.id, summary, AUTHOR
    )  # the same summary again: a save that changes nothing
    revisions = await list_revisions("news", entry.id)
    assert [(r.number, r.action, r.staff_name, r.changed) for r in revisions] == [
        (4, "edit", "Author", []),
        (3, "edit", "Editor", ["topics"]),
        (2, "edit", "Author", ["translations.en.summary"]),
        (1, "create", "Author", ["created", "translations.en", "translations.ka"]),
    ]
    with pytest.raises(Invalid) as unknown:
        await update_entry("news", entry.id, EntryPatch(topics=["nowhere"]), EDITOR)
    assert unknown.value.field == "topics[0]"


async def test_translations_can_be_added_and_removed_but_one_must_remain(db: Database) -> None:
    entry = await create_entry("news", bilingual(en_title=None), EDITOR)
    with pytest.raises(Invalid) as no_title:
        await update_entry(
            "news", entry.id, EntryPatch(translations={"en": TranslationPatch(summary="x")}), EDITOR
        )
    assert no_title.value.field == "translations.en.title"
    added = await update_entry(
        "news", entry.id, EntryPatch(translations={"en": TranslationPatch(title="Added")}), EDITOR
    )
    assert [ref.lang for ref in added.translations] == ["ka", "en"]
    removed = await update_entry("news", entry.id, EntryPatch(translations={"ka": None}), EDITOR)
    assert [ref.lang for ref in removed.translations] == ["en"]
    with pytest.raises(Invalid) as none_left:
        await update_entry("news", entry.id, EntryPatch(translations={"en": None}), EDITOR)
    assert none_left.value.field == "translations"
    kept = await get_entry("news", str(entry.id), None, "en", staff=True)
    assert [ref.lang for ref in kept.translations] == ["en"]


async def test_a_new_title_moves_the_slug_and_the_old_one_keeps_resolving(db: Database) -> None:
    entry = await create_entry("news", bilingual(), EDITOR)
    await publish_entry("news", entry.id, PublishIn(), EDITOR)
    old_slug = entry.slug
    new_title = EntryPatch(translations={"ka": TranslationPatch(title="ახალი სათაური")})
    assert (await update_entry("news", entry.id, new_title, EDITOR)).slug == "akhali-satauri"
    for ref in (old_slug, "akhali-satauri", "AKHALI-SATAURI"):
        row, lang = await find_entry_row("news", ref, public=True)
        assert (row["id"], lang) == (entry.id, "ka")
        found = await get_entry("news", ref, None, "en", staff=False)
        assert (found.lang, found.slug, found.title) == ("ka", "akhali-satauri", "ახალი სათაური")
    # A slug once held is never handed to another entry, so an old link cannot change its target.
    other = await create_entry("news", bilingual(ka_title=GEORGIAN_TITLE, en_title="Another"), EDITOR)
    assert other.slug == old_slug + "-2"
    # Slugs are per kind: the same title under another kind takes the plain slug.
    assert (await create_entry("materials", bilingual(), EDITOR)).slug == old_slug
    with pytest.raises(NotFound):
        await find_entry_row("events", old_slug, public=False)


async def test_authors_may_edit_only_their_own_drafts(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    change = EntryPatch(translations={"ka": TranslationPatch(summary="ცვლილება")})
    with pytest.raises(Forbidden):
        await update_entry("news", entry.id, change, OTHER_AUTHOR)
    assert (await load_entry("news", entry.id))["revision"] == 1  # the refused edit left no trace
    assert (await update_entry("news", entry.id, change, AUTHOR)).revision == 2
    await publish_entry("news", entry.id, PublishIn(), EDITOR)
    with pytest.raises(Forbidden):
        await update_entry("news", entry.id, change, AUTHOR)  # published: no longer a draft
    other_change = EntryPatch(translations={"ka": TranslationPatch(summary="სხვა")})
    assert (await update_entry("news", entry.id, other_change, EDITOR)).sources["ka"].summary == "სხვა"


async def test_an_entry_is_found_only_under_its_own_kind(db: Database) -> None:
    entry = await create_entry("news", bilingual(), EDITOR)
    with pytest.raises(NotFound):
        await update_entry("events", entry.id, EntryPatch(), EDITOR)
    with pytest.raises(NotFound):
        await list_revisions("materials", entry.id)
