"""Fill a database with published bilingual entries fast: a template written by the real code, cloned.

One entry per language pair is created and published through `content.entries` and
`content.publishing`, so its rows (translations with rendered HTML and search text, slugs, topics,
revisions, publication state) are exactly what the API writes. The rest are copies of those rows
with their own ids, titles, slugs, search text and publication times, inserted with the drivers'
bulk paths (`newsletters.bulk.bulk_insert`: binary COPY on PostgreSQL).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from content.entries import create_entry
from content.publishing import publish_entry
from content.schemas import Actor, EntryIn, PublishIn, TopicIn, TranslationIn
from content.slugs import slugify
from content.tables import Entry, EntrySlug, EntryTopic, EntryTranslation, Revision
from content.topics import create_topic
from core.db import as_utc, write_transaction
from newsletters.bulk import bulk_insert

PARAGRAPH_KA = (
    "მიგრაციის საკითხთა სამთავრობო კომისიამ განიხილა მიგრაციის სტრატეგიის სამოქმედო გეგმის "
    "შესრულების ანგარიში და დაამტკიცა მომდევნო წლის პრიორიტეტები. "
)
PARAGRAPH_EN = (
    "The State Commission on Migration Issues reviewed the report on the Migration Strategy's "
    "action plan and adopted next year's priorities. "
)
# Titles rotate through these words, so a search for one of them finds one entry in twenty.
SUBJECTS_EN = (
    "asylum", "borders", "diaspora", "education", "employment", "health", "housing", "integration",
    "labour", "reintegration", "remittances", "returnees", "schools", "seasonal", "students",
    "trafficking", "visas", "youth", "statistics", "research",
)  # fmt: skip
SUBJECTS_KA = (
    "თავშესაფარი", "საზღვრები", "დიასპორა", "განათლება", "დასაქმება", "ჯანმრთელობა", "საცხოვრებელი",
    "ინტეგრაცია", "შრომა", "რეინტეგრაცია", "გზავნილები", "დაბრუნებულები", "სკოლები", "სეზონური",
    "სტუდენტები", "ტრეფიკინგი", "ვიზები", "ახალგაზრდობა", "სტატისტიკა", "კვლევა",
)  # fmt: skip
SEARCH_WORD = SUBJECTS_EN[3]  # "education": one entry in twenty has it in its English title
EDITOR = Actor(id=uuid.UUID(int=1), name="Bench Editor", can_edit_any=True, can_publish=True)


def titles(number: int) -> dict[str, str]:
    """The titles of entry `number` (1-based): unique, so their slugs are what the real code makes."""
    subject = number % len(SUBJECTS_EN)
    return {
        "ka": f"კომისიის სხდომა №{number}: {SUBJECTS_KA[subject]}",
        "en": f"Commission sitting no. {number}: {SUBJECTS_EN[subject]}",
    }


async def _template() -> uuid.UUID:
    await create_topic(TopicIn(slug="emigration", name={"ka": "ემიგრაცია", "en": "Emigration"}))
    names = titles(1)
    entry = await create_entry(
        "news",
        EntryIn(
            translations={
                "ka": TranslationIn(
                    title=names["ka"],
                    summary=PARAGRAPH_KA,
                    body="\n\n".join([PARAGRAPH_KA * 2, PARAGRAPH_KA * 2, PARAGRAPH_KA]),
                ),
                "en": TranslationIn(
                    title=names["en"],
                    summary=PARAGRAPH_EN,
                    body="\n\n".join([PARAGRAPH_EN * 2, PARAGRAPH_EN * 2, PARAGRAPH_EN]),
                ),
            },
            topics=["emigration"],
        ),
        EDITOR,
    )
    await publish_entry("news", entry.id, PublishIn(), EDITOR)
    return entry.id


def _retitled(text: Any, old: dict[str, str], new: dict[str, str]) -> Any:
    """A JSON column (text) or string with the template's titles and slugs swapped for an entry's own."""
    if not isinstance(text, str):
        text = json.dumps(text)
    for lang in ("ka", "en"):
        text = text.replace(old[lang], new[lang]).replace(slugify(old[lang]), slugify(new[lang]))
    return text


@dataclass(frozen=True)
class Template:
    """The rows the real code wrote for entry 1, table by table, to clone."""

    entry: dict[str, Any]
    texts: list[dict[str, Any]]
    slugs: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    revisions: list[dict[str, Any]]


async def write_template() -> Template:
    """Entry 1, created and published by the real code, and its rows read back."""
    template_id = await _template()
    entry = await Entry.select().where(Entry.id == template_id).first()
    texts = await EntryTranslation.select().where(EntryTranslation.entry == template_id)
    slugs = await EntrySlug.select().where(EntrySlug.entry == template_id)
    topics = await EntryTopic.select().where(EntryTopic.entry == template_id)
    revisions = await Revision.select().where(Revision.entry == template_id)
    assert entry is not None, "the template entry was not written"
    assert len(texts) == len(slugs) == 2, "the template entry is not bilingual"
    return Template(entry, texts, slugs, topics, revisions)


def _clone(template: Template, number: int, newest: datetime, out: dict[str, list[tuple[Any, ...]]]) -> None:
    old, new = titles(1), titles(number)
    entry_id = uuid.uuid4()
    moment = newest - timedelta(minutes=number)
    moments = {"created_at", "updated_at", "published_at"}
    entry = {**template.entry, "id": entry_id, **dict.fromkeys(moments, moment)}
    out["entry"].append(tuple(entry.values()))
    for text in template.texts:
        lang = text["lang"]
        values = {
            **text,
            "id": uuid.uuid4(),
            "entry": entry_id,
            "title": new[lang],
            "slug": slugify(new[lang]),
            "search_text": text["search_text"].replace(old[lang], new[lang], 1),
        }
        out["text"].append(tuple(values.values()))
    for slug in template.slugs:
        lang = slug["lang"]
        values = {
            **slug,
            "id": uuid.uuid4(),
            "entry": entry_id,
            "slug": slugify(new[lang]),
            "created_at": moment,
        }
        out["slug"].append(tuple(values.values()))
    for topic in template.topics:
        out["topic"].append(tuple({**topic, "id": uuid.uuid4(), "entry": entry_id}.values()))
    for revision in template.revisions:
        values = {
            **revision,
            "id": uuid.uuid4(),
            "entry": entry_id,
            "snapshot": _retitled(revision["snapshot"], old, new),
            "changed": _retitled(revision["changed"], old, new),
            "created_at": moment,
        }
        out["rev"].append(tuple(values.values()))


async def clone(template: Template, numbers: range, *, batch: int = 5000) -> None:
    """Entries `numbers` (2 and up) as copies of the template, each a minute older than the one before."""
    newest = as_utc(template.entry["published_at"])
    assert newest is not None
    for first in range(numbers.start, numbers.stop, batch):
        out: dict[str, list[tuple[Any, ...]]] = {"entry": [], "text": [], "slug": [], "topic": [], "rev": []}
        for number in range(first, min(first + batch, numbers.stop)):
            _clone(template, number, newest, out)
        async with write_transaction(Entry):
            await bulk_insert(Entry, tuple(template.entry), out["entry"])
            await bulk_insert(EntryTranslation, tuple(template.texts[0]), out["text"])
            await bulk_insert(EntrySlug, tuple(template.slugs[0]), out["slug"])
            await bulk_insert(EntryTopic, tuple(template.topics[0]), out["topic"])
            await bulk_insert(Revision, tuple(template.revisions[0]), out["rev"])
    await Entry.raw("ANALYZE")
