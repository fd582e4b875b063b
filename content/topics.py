"""Topics: the thematic directions entries are filed under."""

from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count

from content.languages import LANGUAGES
from content.schemas import TopicIn, TopicOut
from content.tables import EntryTopic, Topic
from core.db import utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound

MAX_NAME = 200


def topic_out(row: dict[str, Any]) -> TopicOut:
    """The public shape of a topic row."""
    return TopicOut(slug=row["slug"], name={"ka": row["name_ka"], "en": row["name_en"]})


async def list_topics() -> list[TopicOut]:
    """Every topic, by slug."""
    rows = await Topic.select(Topic.slug, Topic.name_ka, Topic.name_en).order_by(Topic.slug)
    return [topic_out(row) for row in rows]


async def create_topic(data: TopicIn) -> TopicOut:
    """Add a topic; both names are required and the slug must be free."""
    for lang in ("ka", "en"):
        if not data.name.get(lang, "").strip():  # type: ignore[call-overload,unused-ignore]
            raise Invalid(f"the topic needs a name in {lang}", field=f"name.{lang}")
    async with write_transaction(Topic):
        if await Topic.exists().where(Topic.slug == data.slug):
            raise Conflict(f"a topic with slug {data.slug!r} exists", field="slug")
        row = Topic(slug=data.slug, name_ka=data.name["ka"].strip(), name_en=data.name["en"].strip())
        await row.save()
    return TopicOut(slug=row.slug, name={"ka": row.name_ka, "en": row.name_en})


async def topic_ids_by_slug(slugs: list[str]) -> dict[str, Any]:
    """The ids of the given topic slugs; an unknown slug is refused by name."""
    if not slugs:
        return {}
    rows = await Topic.select(Topic.id, Topic.slug).where(Topic.slug.is_in(list(set(slugs))))
    found = {row["slug"]: row["id"] for row in rows}
    for position, slug in enumerate(slugs):
        if slug not in found:
            raise Invalid(f"unknown topic {slug!r}", field=f"topics[{position}]")
    return found


@dataclass(frozen=True, slots=True)
class TopicCount:
    """A topic with its names and how many entries (of any kind or status) are filed under it."""

    slug: str
    name: dict[str, str]
    entries: int


async def topics_with_counts() -> list[TopicCount]:
    """Every topic by slug, with its number of entries (one grouped count, not one per topic)."""
    rows = await Topic.select(Topic.slug, Topic.name_ka, Topic.name_en, Topic.id).order_by(Topic.slug)
    counts = await EntryTopic.select(EntryTopic.topic, Count(EntryTopic.id, alias="entries")).group_by(
        EntryTopic.topic
    )
    by_topic = {row["topic"]: int(row["entries"]) for row in counts}
    return [
        TopicCount(
            slug=row["slug"],
            name={"ka": row["name_ka"], "en": row["name_en"]},
            entries=by_topic.get(row["id"], 0),
        )
        for row in rows
    ]


async def get_topic(slug: str) -> TopicOut:
    """One topic by slug, or NotFound."""
    row = await Topic.select(Topic.slug, Topic.name_ka, Topic.name_en).where(Topic.slug == slug).first()
    if row is None:
        raise NotFound(f"no topic {slug!r}")
    return topic_out(row)


async def rename_topic(slug: str, names: dict[str, str]) -> TopicOut:
    """Give a topic new names in one or both languages; the slug (its address) stays.

    The rename time is stored, so the content version moves and public answers and feeds that
    show the topic's name are built again.
    """
    if not names:
        raise Invalid("give the topic's new name in ka, en or both", field="name")
    cleaned: dict[str, str] = {}
    for lang, name in names.items():
        if lang not in LANGUAGES:
            raise Invalid(f"topics are named in ka and en, not {lang!r}", field=f"name.{lang}")
        cleaned[lang] = name.strip()
        if not cleaned[lang]:
            raise Invalid(f"the topic needs a name in {lang}", field=f"name.{lang}")
        if len(cleaned[lang]) > MAX_NAME:
            raise Invalid(f"a topic's name has at most {MAX_NAME} characters", field=f"name.{lang}")
    async with write_transaction(Topic):
        if not await Topic.exists().where(Topic.slug == slug):
            raise NotFound(f"no topic {slug!r}")
        changes: dict[Any, Any] = {Topic.updated_at: utcnow()}
        if "ka" in cleaned:
            changes[Topic.name_ka] = cleaned["ka"]
        if "en" in cleaned:
            changes[Topic.name_en] = cleaned["en"]
        await Topic.update(changes).where(Topic.slug == slug)
    return await get_topic(slug)
