"""Turn entry rows into the shapes the public and staff see."""

__all__ = ["ENTRY_TIME_FIELDS", "Related", "build_entries", "load_related", "shape_entries"]

from collections import defaultdict
from typing import Any
from uuid import UUID

from msgspec import UNSET

from content.entry_reads import related_of
from content.kinds import KIND_FIELDS
from content.languages import LANGUAGES
from content.media.catalogue import assets_by_id
from content.registration_settings import registration_out
from content.related import Related
from content.schemas import EntryOut, TopicOut, TranslationRef, TranslationSource
from content.tables import EntryAttachment, EntryTopic, EntryTranslation
from content.workflow.outdated import outdated_languages
from core.db import as_utc

ENTRY_TIME_FIELDS = ("starts_at", "ends_at", "deadline")


async def build_entries(entries: list[dict[str, Any]], lang: str | None, *, staff: bool) -> list[EntryOut]:
    """Shape entry rows for an answer in `lang` (or each entry's first language when None)."""
    if not entries:
        return []
    return shape_entries(entries, lang, await load_related(entries), staff=staff)


async def load_related(entries: list[dict[str, Any]]) -> Related:
    """The rows `shape_entries` needs for these entries, in every language (a few queries).

    On PostgreSQL outside a transaction one statement reads them all (content/entry_reads.py).
    """
    try:
        return await related_of(entries)
    except LookupError:
        pass
    ids = [row["id"] for row in entries]
    translations = await EntryTranslation.select(
        EntryTranslation.entry,
        EntryTranslation.lang,
        EntryTranslation.slug,
        EntryTranslation.title,
        EntryTranslation.summary,
        EntryTranslation.body,
        EntryTranslation.body_html,
        EntryTranslation.location,
        EntryTranslation.text_revision,
        EntryTranslation.source_revision,
    ).where(EntryTranslation.entry.is_in(ids))
    by_entry: dict[UUID, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in translations:
        by_entry[row["entry"]][row["lang"]] = row

    topic_rows = (
        await EntryTopic.select(
            EntryTopic.entry, EntryTopic.topic.slug, EntryTopic.topic.name_ka, EntryTopic.topic.name_en
        )
        .where(EntryTopic.entry.is_in(ids))
        .order_by(EntryTopic.topic.slug)
    )
    topics: dict[UUID, list[TopicOut]] = defaultdict(list)
    for row in topic_rows:
        topics[row["entry"]].append(
            TopicOut(slug=row["topic.slug"], name={"ka": row["topic.name_ka"], "en": row["topic.name_en"]})
        )

    attachment_rows = (
        await EntryAttachment.select(EntryAttachment.entry, EntryAttachment.asset_id)
        .where(EntryAttachment.entry.is_in(ids))
        .order_by(EntryAttachment.position)
    )
    attachments: dict[UUID, list[UUID]] = defaultdict(list)
    for row in attachment_rows:
        attachments[row["entry"]].append(row["asset_id"])

    assets = await assets_by_id(
        [row["cover_id"] for row in entries if row["cover_id"] is not None]
        + [asset_id for ids_ in attachments.values() for asset_id in ids_]
    )
    return Related(by_entry, topics, attachments, assets)


def shape_entries(
    entries: list[dict[str, Any]], lang: str | None, related: Related, *, staff: bool
) -> list[EntryOut]:
    """Entry rows shaped in `lang` (or each one's first language) from rows `load_related` read."""
    shaped: list[EntryOut] = []
    for entry in entries:
        texts = related.texts.get(entry["id"], {})
        chosen = lang if lang in texts else next((code for code in LANGUAGES if code in texts), None)
        if chosen is None:
            continue
        topics, attachments = related.topics.get(entry["id"], []), related.attachments.get(entry["id"], [])
        out = _shape(entry, chosen, texts, topics, attachments, staff=staff)
        assets = related.assets
        out.cover = assets.get(entry["cover_id"]) if entry["cover_id"] is not None else None
        out.attachments = [assets[asset_id] for asset_id in out.attachment_ids if asset_id in assets]
        shaped.append(out)
    return shaped


def _shape(
    entry: dict[str, Any],
    lang: str,
    texts: dict[str, dict[str, Any]],
    topics: list[TopicOut],
    attachments: list[UUID],
    *,
    staff: bool,
) -> EntryOut:
    text = texts[lang]
    out = EntryOut(
        id=entry["id"],
        kind=entry["kind"],
        lang=lang,
        slug=text["slug"],
        title=text["title"],
        summary=text["summary"],
        body_html=text["body_html"],
        topics=topics,
        published_at=as_utc(entry["published_at"]),
        updated_at=as_utc(entry["updated_at"]),  # type: ignore[arg-type]
        author=entry["author_name"],
        cover_id=entry["cover_id"],
        attachment_ids=attachments,
        translations=[
            TranslationRef(lang=code, slug=texts[code]["slug"], title=texts[code]["title"])
            for code in LANGUAGES
            if code in texts
        ],
    )
    for field in KIND_FIELDS[entry["kind"]]:
        value = entry[field]
        if field == "registration":
            value = registration_out(value, entry.get("places_taken") or 0)
        setattr(out, field, as_utc(value) if field in ENTRY_TIME_FIELDS else value)
    if entry["kind"] == "events":
        out.location = text["location"]
    if staff:
        out.status = entry["status"]
        out.publish_at = as_utc(entry["publish_at"])
        out.embargo_until = as_utc(entry["embargo_until"])
        out.unpublish_at = as_utc(entry.get("unpublish_at"))
        out.created_at = as_utc(entry["created_at"])  # type: ignore[assignment]
        out.created_by = entry["created_by"]
        out.revision = entry["revision"]
        behind = outdated_languages(texts)
        out.sources = {
            code: TranslationSource(
                slug=texts[code]["slug"],
                title=texts[code]["title"],
                summary=texts[code]["summary"],
                body=texts[code]["body"],
                body_html=texts[code]["body_html"],
                location=texts[code]["location"],
                outdated=code in behind,
            )
            for code in LANGUAGES
            if code in texts
        }
    else:
        out.status = UNSET
    return out
