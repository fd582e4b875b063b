"""Outdated translations in the domain: every path that sets the mark and every path that clears it."""

from uuid import UUID

import msgspec
import pytest

from content.entries import create_entry, update_entry
from content.publishing import publish_entry
from content.queries import get_entry, list_entries
from content.schemas import EntryOut, EntryPatch, PublishIn, TranslationPatch
from content.staff_lists import StaffFilters, staff_list
from content.workflow.mark_current import mark_current
from content.workflow.restore import restore_revision
from core.errors import Forbidden, Invalid, NotFound
from tests.conftest import Database
from tests.content.drafts import AUTHOR, EDITOR, OTHER_AUTHOR, bilingual


async def _marks(entry_id: UUID, kind: str = "news") -> dict[str, bool]:
    shown = await get_entry(kind, str(entry_id), None, "ka", staff=True)
    assert isinstance(shown.sources, dict)
    return {lang: source.outdated for lang, source in shown.sources.items()}


def _edit(lang: str, **fields: str) -> EntryPatch:
    return EntryPatch(translations={lang: TranslationPatch(**fields)})  # type: ignore[dict-item]


async def _staff_ids(**filters: str) -> list[UUID]:
    return [row.id for row in (await staff_list("news", "ka", StaffFilters(**filters))).rows]  # type: ignore[arg-type]


async def test_a_new_bilingual_draft_has_no_outdated_translation(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    assert await _marks(entry.id) == {"ka": False, "en": False}


@pytest.mark.parametrize("field", ["title", "summary", "body"])
async def test_a_change_of_one_languages_text_marks_the_other(db: Database, field: str) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await update_entry("news", entry.id, _edit("en", **{field: "Changed in English"}), AUTHOR)
    assert await _marks(entry.id) == {"ka": True, "en": False}


async def test_an_events_location_or_other_fields_mark_nothing(db: Database) -> None:
    data = bilingual()
    entry = await create_entry("events", data, AUTHOR)
    await update_entry("events", entry.id, _edit("en", location="Tbilisi, Sanapiro St. 4"), AUTHOR)
    await update_entry("events", entry.id, EntryPatch(online_url="https://example.org/live"), AUTHOR)
    assert await _marks(entry.id, "events") == {"ka": False, "en": False}


async def test_editing_the_outdated_translation_clears_it_and_marks_nothing_else(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await update_entry("news", entry.id, _edit("en", title="The English, fixed"), AUTHOR)
    await update_entry("news", entry.id, _edit("ka", body="ქართული, გასწორებული."), AUTHOR)
    assert await _marks(entry.id) == {"ka": False, "en": False}
    # Once both are current, a change of the Georgian marks the English in turn.
    await update_entry("news", entry.id, _edit("ka", summary="ახალი მოკლე შინაარსი"), AUTHOR)
    assert await _marks(entry.id) == {"ka": False, "en": True}


async def test_a_save_changing_both_languages_leaves_both_current(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    patch = EntryPatch(
        translations={
            "ka": TranslationPatch(title="ორივე ენა"),
            "en": TranslationPatch(title="Both languages"),
        }
    )
    await update_entry("news", entry.id, patch, AUTHOR)
    assert await _marks(entry.id) == {"ka": False, "en": False}


async def test_a_translation_added_later_is_current_and_so_is_its_source(db: Database) -> None:
    entry = await create_entry("news", bilingual(en_title=None), AUTHOR)
    await update_entry("news", entry.id, _edit("ka", body="ქართული ტექსტი შეიცვალა."), AUTHOR)
    await update_entry("news", entry.id, _edit("en", title="Added later", body="Text."), AUTHOR)
    assert await _marks(entry.id) == {"ka": False, "en": False}
    await update_entry("news", entry.id, _edit("ka", title="ახალი სათაური"), AUTHOR)
    assert await _marks(entry.id) == {"ka": False, "en": True}


async def test_removing_the_other_language_leaves_nothing_to_be_behind(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await update_entry("news", entry.id, _edit("en", title="Changed"), AUTHOR)
    await update_entry("news", entry.id, EntryPatch(translations={"en": None}), AUTHOR)
    assert await _marks(entry.id) == {"ka": False}


async def test_mark_current_clears_the_mark_without_a_revision(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    edited = await update_entry("news", entry.id, _edit("en", title="Changed"), AUTHOR)
    shown = await mark_current("news", entry.id, "ka", AUTHOR)
    assert isinstance(shown.sources, dict)
    assert {lang: source.outdated for lang, source in shown.sources.items()} == {"ka": False, "en": False}
    assert await _marks(entry.id) == {"ka": False, "en": False}
    after = await get_entry("news", str(entry.id), None, "ka", staff=True)
    assert (after.revision, after.updated_at) == (edited.revision, edited.updated_at)
    # Marking a current translation current again changes nothing.
    await mark_current("news", entry.id, "en", AUTHOR)
    assert await _marks(entry.id) == {"ka": False, "en": False}
    # The next English change marks the Georgian again.
    await update_entry("news", entry.id, _edit("en", body="Again."), AUTHOR)
    assert await _marks(entry.id) == {"ka": True, "en": False}


async def test_restoring_a_revision_of_one_language_marks_the_other(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await update_entry("news", entry.id, _edit("en", title="Changed"), AUTHOR)
    await mark_current("news", entry.id, "ka", AUTHOR)
    await restore_revision("news", entry.id, 1, EDITOR)  # the English title comes back: a change
    assert await _marks(entry.id) == {"ka": True, "en": False}


async def test_mark_current_refusals_change_nothing(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await update_entry("news", entry.id, _edit("en", title="Changed"), AUTHOR)
    with pytest.raises(Invalid) as unknown:
        await mark_current("news", entry.id, "fr", AUTHOR)
    assert unknown.value.field == "lang"
    with pytest.raises(Forbidden):
        await mark_current("news", entry.id, "ka", OTHER_AUTHOR)
    with pytest.raises(NotFound):
        await mark_current("events", entry.id, "ka", AUTHOR)  # another kind's id
    one_language = await create_entry("news", bilingual(en_title=None), AUTHOR)
    with pytest.raises(NotFound):
        await mark_current("news", one_language.id, "en", AUTHOR)
    assert await _marks(entry.id) == {"ka": True, "en": False}


async def test_an_author_may_not_mark_a_published_entry_but_an_editor_may(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await update_entry("news", entry.id, _edit("en", title="Changed"), AUTHOR)
    await publish_entry("news", entry.id, PublishIn(), EDITOR)
    with pytest.raises(Forbidden):
        await mark_current("news", entry.id, "ka", AUTHOR)
    await mark_current("news", entry.id, "ka", EDITOR)
    assert await _marks(entry.id) == {"ka": False, "en": False}


async def test_staff_lists_filter_missing_and_outdated_translations(db: Database) -> None:
    current = await create_entry("news", bilingual(), AUTHOR)
    ka_behind = await create_entry("news", bilingual("ქართული ჩამორჩება", "Georgian is behind"), AUTHOR)
    await update_entry("news", ka_behind.id, _edit("en", body="New English text."), AUTHOR)
    en_behind = await create_entry("news", bilingual("ინგლისური ჩამორჩება", "English is behind"), AUTHOR)
    await update_entry("news", en_behind.id, _edit("ka", body="ახალი ქართული ტექსტი."), AUTHOR)
    no_english = await create_entry("news", bilingual("მხოლოდ ქართულად", None), AUTHOR)

    assert await _staff_ids(outdated="ka") == [ka_behind.id]
    assert await _staff_ids(outdated="en") == [en_behind.id]
    assert set(await _staff_ids(outdated="any")) == {ka_behind.id, en_behind.id}
    assert await _staff_ids(missing="en") == [no_english.id]
    rows = {row.id: row for row in (await staff_list("news", "ka")).rows}
    assert (rows[ka_behind.id].outdated, rows[en_behind.id].outdated, rows[current.id].outdated) == (
        ("ka",),
        ("en",),
        (),
    )
    with pytest.raises(Invalid) as refused:
        await staff_list("news", "ka", StaffFilters(outdated="fr"))
    assert refused.value.field == "outdated"

    async def api_ids(translation: str, lang: str | None) -> set[UUID]:
        page = await list_entries(
            "news", lang or "ka", status="draft", staff=True, translation=translation, translation_lang=lang
        )
        return {item.id for item in page.items}

    assert await api_ids("outdated", "ka") == {ka_behind.id}
    assert await api_ids("outdated", "en") == {en_behind.id}
    assert await api_ids("outdated", None) == {ka_behind.id, en_behind.id}
    assert await api_ids("missing", "en") == {no_english.id}
    assert await api_ids("missing", None) == {no_english.id}
    assert await api_ids("missing", "ka") == set()
    # A list in English asked for missing English shows the entry in the language it has.
    missing = await list_entries(
        "news", "en", status="draft", staff=True, translation="missing", translation_lang="en"
    )
    assert [(item.id, item.lang) for item in missing.items] == [(no_english.id, "ka")]
    with pytest.raises(Invalid) as bad:
        await list_entries("news", "ka", staff=True, translation="stale")
    assert bad.value.field == "translation"
    with pytest.raises(Invalid):
        await list_entries("news", "ka", translation="outdated")  # the public has no such filter


async def test_public_answers_carry_no_mark(db: Database) -> None:
    entry = await create_entry("news", bilingual(), AUTHOR)
    await update_entry("news", entry.id, _edit("en", title="Changed"), AUTHOR)
    await publish_entry("news", entry.id, PublishIn(), EDITOR)
    public: EntryOut = await get_entry("news", str(entry.id), "ka", "ka", staff=False)
    encoded = msgspec.json.encode(public)
    assert b"sources" not in encoded and b"outdated" not in encoded and b"revision" not in encoded
