"""What entry rows are shaped with (content/shaping.py), however it was read."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from content.schemas import TopicOut


@dataclass(frozen=True, slots=True)
class Related:
    """What entry rows are shaped with, read once: texts by language, topics, attachments, assets."""

    texts: dict[UUID, dict[str, dict[str, Any]]]
    topics: dict[UUID, list[TopicOut]]
    attachments: dict[UUID, list[UUID]]
    assets: dict[UUID, Any]
