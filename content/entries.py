"""Writing entries: create a draft, edit it; each save is a revision."""

from datetime import datetime
from typing import Any
from uuid import UUID

from msgspec import UNSET

from content.kinds import DEFAULT_TIMEZONE, KIND_FIELDS, KIND_TRANSLATION_FIELDS
from content.markup import html_to_text, render_body
from content.media.library import require_assets
from content.registration_settings import check_capacity, settings_column, stored_settings
from content.revisions import load_entry, record_revision
from content.schemas import Actor, EntryIn, EntryOut, EntryPatch, TranslationIn
from content.shaping import build_entries
from content.slugs import slugify, with_suffix
from content.tables import Entry, EntryAttachment, EntrySlug, EntryTopic, EntryTranslation
from content.topics import topic_ids_by_slug
from content.workflow.outdated import SOURCE_FIELDS, note_text_changes
from content.zones import zone_named
from core.db import as_utc, is_sqlite, write_transaction
from core.errors import Forbidden, Invalid, StaleRevision

ENTRY_KIND_FIELDS = (
    "starts_at", "ends_at", "timezone", "online_url", "registration_url", "cancelled", "registration",
    "deadline", "external_url", "material_type",
)  # fmt: skip
TRANSLATION_FIELDS = ("title", "summary", "body", "location")


def _check_kind_fields(kind: str, values: dict[str, Any], translations: dict[str, dict[str, Any]]) -> None:
    allowed = KIND_FIELDS[kind]
    for name, value in values.items():
        if name not in allowed and value is not None and value is not UNSET:
            raise Invalid(f"{kind} entries have no field {name!r}", field=name)
    allowed_text = KIND_TRANSLATION_FIELDS[kind]
    for lang, text in translations.items():
        for name in ("location",):
            if name not in allowed_text and text.get(name) not in (None, UNSET):
                raise Invalid(f"{kind} entries have no field {name!r}", field=f"translations.{lang}.{name}")
    timezone = values.get("timezone")
    if isinstance(timezone, str) and zone_named(timezone) is None:
        raise Invalid(f"unknown time zone {timezone[:80]!r}", field="timezone")


def same_value(stored: Any, new: Any, name: str = "") -> bool:
    """Whether a stored column already holds a new value (times compare as instants)."""
    if name == "registration":
        return stored_settings(stored) == stored_settings(new)
    if isinstance(stored, datetime) and isinstance(new, datetime):
        return as_utc(stored) == as_utc(new)
    return bool(stored == new)


def check_event_times(starts_at: datetime | None, ends_at: datetime | None) -> None:
    """An event ends after it starts."""
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise Invalid("an event cannot end before it starts", field="ends_at")


async def _free_slug(entry_id: UUID | None, kind: str, lang: str, title: str) -> tuple[str, bool]:
    """A slug for the title that no other entry of the kind and language holds or held.

    Returns the slug and whether it is new to this entry.
    """
    base = slugify(title)
    rows = await EntrySlug.select(EntrySlug.slug, EntrySlug.entry).where(
        (EntrySlug.kind == kind)
        & (EntrySlug.lang == lang)
        & ((EntrySlug.slug == base) | EntrySlug.slug.like(f"{base}-%"))
    )
    holders = {row["slug"]: row["entry"] for row in rows}
    candidate, number = base, 1
    while candidate in holders and holders[candidate] != entry_id:
        number += 1
        candidate = with_suffix(base, number)
    return candidate, candidate not in holders


async def slug_for(kind: str, lang: str, title: str, entry_id: UUID | None = None) -> str:
    """The slug a title would get if saved now (the entry's own slugs count as free to it)."""
    slug, _ = await _free_slug(entry_id, kind, lang, title)
    return slug


def check_revision(entry: dict[str, Any], expected_revision: int | None) -> None:
    """Refuse a save made from an older revision than the entry's (None: no check)."""
    if expected_revision is not None and entry["revision"] != expected_revision:
        raise StaleRevision(
            f"the entry is at revision {entry['revision']}, not {expected_revision}: "
            "someone saved it since it was opened",
            expected=expected_revision,
            current=entry["revision"],
        )


async def _index_for_search(translation_id: UUID, text: str | None) -> None:
    """Keep SQLite's FTS5 table in step; PostgreSQL indexes the column itself."""
    if not is_sqlite():
        return
    await Entry.raw("DELETE FROM entry_search WHERE translation_id = {}", str(translation_id))
    if text is not None:
        await Entry.raw(
            "INSERT INTO entry_search (search_text, translation_id) VALUES ({}, {})",
            text,
            str(translation_id),
        )


def _text_columns(title: str, summary: str, body: str, location: str | None) -> dict[str, Any]:
    body_html = render_body(body)
    search_text = " ".join(part for part in (title, summary, html_to_text(body_html), location or "") if part)
    return {
        "title": title,
        "summary": summary,
        "body": body,
        "body_html": body_html,
        "search_text": search_text,
        "location": location,
    }


async def _write_translation(entry_id: UUID, kind: str, lang: str, text: dict[str, Any]) -> None:
    slug, is_new = await _free_slug(entry_id, kind, lang, text["title"])
    columns = _text_columns(text["title"], text["summary"], text["body"], text["location"])
    existing = (
        await EntryTranslation.select(EntryTranslation.id)
        .where((EntryTranslation.entry == entry_id) & (EntryTranslation.lang == lang))
        .first()
    )
    if existing is None:
        row = EntryTranslation(entry=entry_id, kind=kind, lang=lang, slug=slug, **columns)
        await row.save()
        translation_id = row.id
    else:
        translation_id = existing["id"]
        await EntryTranslation.update(
            {getattr(EntryTranslation, name): value for name, value in {"slug": slug, **columns}.items()}
        ).where(EntryTranslation.id == translation_id)
    if is_new:
        await EntrySlug(entry=entry_id, kind=kind, lang=lang, slug=slug).save()
    await _index_for_search(translation_id, columns["search_text"])


async def _write_topics(entry_id: UUID, slugs: list[str]) -> None:
    ids = await topic_ids_by_slug(slugs)
    await EntryTopic.delete().where(EntryTopic.entry == entry_id)
    if ids:
        await EntryTopic.insert(*[EntryTopic(entry=entry_id, topic=topic_id) for topic_id in ids.values()])


async def _write_attachments(entry_id: UUID, asset_ids: list[UUID]) -> None:
    await EntryAttachment.delete().where(EntryAttachment.entry == entry_id)
    unique = list(dict.fromkeys(asset_ids))
    if unique:
        await EntryAttachment.insert(
            *[
                EntryAttachment(entry=entry_id, asset_id=asset_id, position=position)
                for position, asset_id in enumerate(unique)
            ]
        )


async def create_entry(kind: str, data: EntryIn, actor: Actor) -> EntryOut:
    """Create a draft of a kind with its translations, topics and attachments."""
    values = {name: getattr(data, name) for name in ENTRY_KIND_FIELDS}
    translations: dict[str, dict[str, Any]] = {
        lang: _translation_dict(text) for lang, text in data.translations.items()
    }
    _check_kind_fields(kind, values, translations)
    values["registration"] = settings_column(data.registration)
    check_event_times(data.starts_at, data.ends_at)
    if kind == "events" and values["timezone"] is None:
        values["timezone"] = DEFAULT_TIMEZONE
    if values["cancelled"] is None:
        values["cancelled"] = False
    await topic_ids_by_slug(data.topics)
    await require_assets(data.cover_id, data.attachment_ids)

    async with write_transaction():
        entry = Entry(
            kind=kind,
            status="draft",
            created_by=actor.id,
            author_name=actor.name,
            cover_id=data.cover_id,
            **values,
        )
        await entry.save()
        for lang, text in translations.items():
            await _write_translation(entry.id, kind, lang, text)
        await note_text_changes(entry.id, entry.revision + 1, {}, set(translations))
        await _write_topics(entry.id, data.topics)
        await _write_attachments(entry.id, data.attachment_ids)
        row = await load_entry(kind, entry.id)
        changed = ["created", *[f"translations.{lang}" for lang in translations]]
        return await record_revision(row, actor, "create", changed, {})


def _translation_dict(text: TranslationIn) -> dict[str, Any]:
    return {"title": text.title, "summary": text.summary, "body": text.body, "location": text.location}


def check_may_edit(entry: dict[str, Any], actor: Actor) -> None:
    """Authors may change only their own drafts; editors and admins anything."""
    if actor.can_edit_any:
        return
    if entry["created_by"] != actor.id:
        raise Forbidden("authors may edit only their own entries")
    if entry["status"] not in ("draft", "in_review"):
        raise Forbidden("authors may edit only drafts; ask an editor to unpublish first")


async def update_entry(
    kind: str,
    entry_id: UUID,
    patch: EntryPatch,
    actor: Actor,
    *,
    expected_revision: int | None = None,
    skip_unchanged: bool = False,
    action: str = "edit",
) -> EntryOut:
    """Apply a change to an entry and record which fields it changed.

    With `expected_revision`, the change is refused (StaleRevision) unless the entry is still at it;
    with `skip_unchanged`, a change that changes nothing records no revision.
    """
    async with write_transaction():
        if expected_revision is not None and not is_sqlite():
            # Two saves from the same revision must not both pass the check: the second waits here.
            # (SQLite's immediate write transactions already run one writer at a time.)
            await Entry.select(Entry.id).where(Entry.id == entry_id).lock_rows()
        entry = await load_entry(kind, entry_id)
        check_may_edit(entry, actor)
        check_revision(entry, expected_revision)
        values = {
            name: getattr(patch, name) for name in ENTRY_KIND_FIELDS if getattr(patch, name) is not UNSET
        }
        if patch.cover_id is not UNSET:
            values["cover_id"] = patch.cover_id
        if patch.unpublish_at is not UNSET:
            values["unpublish_at"] = as_utc(patch.unpublish_at)
        await require_assets(
            patch.cover_id if patch.cover_id is not UNSET else None,
            patch.attachment_ids if patch.attachment_ids is not UNSET else [],
        )
        translation_patches = patch.translations if patch.translations is not UNSET else {}
        _check_kind_fields(
            kind,
            # Every kind has a cover and may expire.
            {name: value for name, value in values.items() if name not in ("cover_id", "unpublish_at")},
            {
                lang: {"location": text.location} if text is not None else {}
                for lang, text in translation_patches.items()
            },
        )
        check_event_times(
            values.get("starts_at", entry["starts_at"]), values.get("ends_at", entry["ends_at"])
        )
        if values.get("cancelled", False) is None:
            values["cancelled"] = False
        if "registration" in values:
            values["registration"] = settings_column(values["registration"])
            check_capacity(values["registration"], entry["places_taken"])
        if kind == "events" and "timezone" in values and values["timezone"] is None:
            values["timezone"] = DEFAULT_TIMEZONE
        changed = [name for name, value in values.items() if not same_value(entry[name], value, name)]
        values = {name: values[name] for name in changed}

        existing = {
            row["lang"]: row
            for row in await EntryTranslation.select(*EntryTranslation.all_columns()).where(
                EntryTranslation.entry == entry_id
            )
        }
        remaining = set(existing)
        text_changed: set[str] = set()
        for lang, text_patch in translation_patches.items():
            if text_patch is None:
                if lang in existing:
                    remaining.discard(lang)
                    changed.append(f"translations.{lang}")
                continue
            current = existing.get(lang)
            if current is None and text_patch.title is UNSET:
                raise Invalid(f"a new {lang} translation needs a title", field=f"translations.{lang}.title")
            merged = {
                name: getattr(text_patch, name)
                if getattr(text_patch, name) is not UNSET
                else (current[name] if current else ("" if name != "location" else None))
                for name in TRANSLATION_FIELDS
            }
            fields_changed = [
                name for name in TRANSLATION_FIELDS if current is None or current[name] != merged[name]
            ]
            if fields_changed:
                changed.extend(f"translations.{lang}.{name}" for name in fields_changed)
                await _write_translation(entry_id, kind, lang, merged)
                remaining.add(lang)
                if current is None or set(fields_changed) & set(SOURCE_FIELDS):
                    text_changed.add(lang)
        if not remaining:
            raise Invalid("an entry needs at least one translation", field="translations")
        for lang in set(existing) - remaining:
            await _index_for_search(existing[lang]["id"], None)
            await EntryTranslation.delete().where(EntryTranslation.id == existing[lang]["id"])
        before = {lang: row for lang, row in existing.items() if lang in remaining}
        await note_text_changes(entry_id, entry["revision"] + 1, before, text_changed)

        if patch.topics is not UNSET:
            current_topics = await EntryTopic.select(EntryTopic.topic.slug).where(
                EntryTopic.entry == entry_id
            )
            if sorted(row["topic.slug"] for row in current_topics) != sorted(set(patch.topics)):
                changed.append("topics")
                await _write_topics(entry_id, patch.topics)
        if patch.attachment_ids is not UNSET:
            current_assets = (
                await EntryAttachment.select(EntryAttachment.asset_id)
                .where(EntryAttachment.entry == entry_id)
                .order_by(EntryAttachment.position)
            )
            if [row["asset_id"] for row in current_assets] != list(dict.fromkeys(patch.attachment_ids)):
                changed.append("attachment_ids")
                await _write_attachments(entry_id, patch.attachment_ids)
        if skip_unchanged and not changed:
            return (await build_entries([entry], None, staff=True))[0]
        if changed and entry["status"] == "in_review" and not actor.can_edit_any:
            # The author takes the entry back to work on it: it leaves the editors' queue.
            values["status"] = "draft"
            changed.append("status")
        return await record_revision(entry, actor, action, changed, values)
