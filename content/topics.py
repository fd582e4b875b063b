"""Topics: the thematic directions entries are filed under."""

from typing import Any

from content.schemas import TopicIn, TopicOut
from content.tables import Topic
from core.db import write_transaction
from core.errors import Conflict, Invalid


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
