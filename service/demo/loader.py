"""Loading the demo through the domain functions; whatever is already there is left alone."""

import hashlib
import io
import tempfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from accounts.tables import Staff
from content.entries import create_entry
from content.media.library import add_upload, update_asset
from content.media.renditions import render_asset
from content.media.schemas import AssetPatch
from content.media.storage import open_storage
from content.publishing import publish_entry
from content.schemas import Actor, EntryIn, PublishIn, TopicIn, TranslationIn
from content.tables import Entry, EntryTranslation, Topic
from content.topics import create_topic
from core.db import utcnow, write_transaction
from core.errors import NotFound
from newsletters.campaign_schemas import CampaignIn
from newsletters.campaigns.states import create_campaign
from newsletters.lists import create_list, get_list
from newsletters.subscriber_schemas import ListIn, ListNames, Names
from newsletters.tables import Campaign, Template
from newsletters.template_store import ensure_defaults
from service.demo.content import CAMPAIGN, CAMPAIGN_SLUG, ENTRIES, LISTS, TOPICS, DemoEntry, DemoImage
from service.settings import Settings

TBILISI = ZoneInfo("Asia/Tbilisi")
DEMO_STAFF_EMAIL = "demo.editor@scmi.example"


@dataclass
class DemoReport:
    """What one run of the demo added (all zero when it ran before)."""

    topics: int = 0
    lists: int = 0
    entries: int = 0
    assets: int = 0
    templates: int = 0
    campaigns: int = 0
    staff_created: str | None = None


async def database_is_empty() -> bool:
    """Whether the database holds no entries and no staff: a fresh install."""
    return not await Entry.exists() and not await Staff.exists()


async def _actor(report: DemoReport) -> Actor:
    """The first editor or admin on the staff, or a demo editor made for the purpose (no token)."""
    rows = await Staff.select(Staff.id, Staff.name, Staff.role).where(Staff.disabled_at.is_null())
    chosen = next((row for row in rows if row["role"] in {"admin", "editor"}), None)
    if chosen is None:
        async with write_transaction(Staff):
            member = Staff(email=DEMO_STAFF_EMAIL, role="editor", name="Demo Editor", created_at=utcnow())
            await member.save()
        report.staff_created = DEMO_STAFF_EMAIL
        chosen = {"id": member.id, "name": member.name}
    return Actor(id=chosen["id"], name=chosen["name"], can_edit_any=True, can_publish=True)


def draw(image: DemoImage, fmt: str = "") -> bytes:
    """A small picture with a colour gradient and a label, in the format its name says (or `fmt`)."""
    picture = Image.new("RGB", (1200, 750), image.colour)
    pen = ImageDraw.Draw(picture)
    red, green, blue = image.colour
    for row in range(0, 750, 10):
        shade = row // 10
        pen.rectangle(
            (0, row, 1200, row + 10), fill=(red + shade // 2, green + shade // 2, blue + shade // 2)
        )
    pen.text((60, 340), image.label, fill=(255, 255, 255), font_size=64)
    out = io.BytesIO()
    picture.save(out, format=fmt or ("PNG" if image.name.endswith(".png") else "JPEG"))
    return out.getvalue()


async def _upload(settings: Settings, name: str, data: bytes, caption: tuple[str, str] | None) -> UUID:
    storage = open_storage(settings.media_storage)
    limits = settings.media_limits
    limits.scratch_dir.mkdir(parents=True, exist_ok=True)

    async def make_renditions(asset_id: UUID) -> None:
        await render_asset(asset_id, storage, limits)  # no worker needed: the demo renders at once

    with tempfile.TemporaryDirectory(dir=limits.scratch_dir) as scratch:
        path = Path(scratch) / name
        path.write_bytes(data)
        sha256 = hashlib.sha256(data).hexdigest()
        asset, _ = await add_upload(path, sha256, len(data), name, None, storage, limits, make_renditions)
    if caption is not None:
        ka, en = caption
        await update_asset(
            asset.id,
            AssetPatch(
                caption={"ka": ka, "en": en},
                alt={"ka": ka, "en": en},
                credit={"ka": "სამდივნო", "en": "SCMI Secretariat"},
            ),
        )
    return asset.id


async def _exists(entry: DemoEntry) -> bool:
    return bool(
        await EntryTranslation.exists().where(
            (EntryTranslation.kind == entry.kind)
            & (EntryTranslation.lang == "en")
            & (EntryTranslation.title == entry.en["title"])
        )
    )


def _at(day: datetime, offset: timedelta | None) -> datetime | None:
    # Whole days from today, then hours as wall-clock time in Tbilisi.
    if offset is None:
        return None
    local = datetime.combine(day.date() + timedelta(days=offset.days), time(), tzinfo=TBILISI)
    return local + timedelta(seconds=offset.seconds)


async def _add_entry(settings: Settings, entry: DemoEntry, actor: Actor, report: DemoReport) -> None:
    cover_id = None
    if entry.cover is not None:
        cover_id = await _upload(settings, entry.cover.name, draw(entry.cover), entry.cover.caption)
        report.assets += 1
    attachment_ids: list[UUID] = []
    for image in entry.attachments:
        if image is entry.cover and cover_id is not None:
            attachment_ids.append(cover_id)
            continue
        attachment_ids.append(await _upload(settings, image.name, draw(image), image.caption))
        report.assets += 1
    if entry.report_pdf:
        assert entry.cover is not None
        attachment_ids.append(await _upload(settings, "report.pdf", draw(entry.cover, "PDF"), None))
        report.assets += 1
    today = datetime.now(TBILISI)
    fields: dict[str, Any] = dict(entry.fields)
    if entry.kind == "events":
        fields.update(starts_at=_at(today, entry.starts_in), ends_at=_at(today, entry.ends_in))
        fields["timezone"] = "Asia/Tbilisi"
    if entry.deadline_in is not None:
        fields["deadline"] = _at(today, entry.deadline_in)
    data = EntryIn(
        translations={"ka": TranslationIn(**entry.ka), "en": TranslationIn(**entry.en)},
        topics=entry.topics,
        cover_id=cover_id,
        attachment_ids=attachment_ids,
        **fields,
    )
    created = await create_entry(entry.kind, data, actor)
    await publish_entry(entry.kind, created.id, PublishIn(), actor)
    report.entries += 1


async def load_demo(settings: Settings) -> DemoReport:
    """Add the demo's topics, lists and published entries that are not there yet."""
    report = DemoReport()
    known = {row["slug"] for row in await Topic.select(Topic.slug)}
    for slug, ka, en in TOPICS:
        if slug not in known:
            await create_topic(TopicIn(slug=slug, name={"ka": ka, "en": en}))
            report.topics += 1
    for spec in LISTS:
        try:
            await get_list(spec["slug"])
        except NotFound:
            await create_list(
                ListIn(
                    slug=spec["slug"],
                    name=ListNames(**spec["name"]),
                    description=Names(**spec["description"]),
                    public=True,
                )
            )
            report.lists += 1
    missing = [entry for entry in ENTRIES if not await _exists(entry)]
    if missing:
        actor = await _actor(report)
        for entry in missing:
            await _add_entry(settings, entry, actor, report)
    templates_before = await Template.count()
    await ensure_defaults()
    report.templates = await Template.count() - templates_before
    if not await Campaign.exists().where(Campaign.slug == CAMPAIGN_SLUG):
        await _add_campaign(settings)
        report.campaigns += 1
    return report


async def _news_ids() -> list[UUID]:
    """The demo's news entries, in the order the demo lists them."""
    titles = [entry.en["title"] for entry in ENTRIES if entry.kind == "news"]
    rows = await EntryTranslation.select(EntryTranslation.entry, EntryTranslation.title).where(
        (EntryTranslation.kind == "news")
        & (EntryTranslation.lang == "en")
        & EntryTranslation.title.is_in(titles)
    )
    by_title = {row["title"]: row["entry"] for row in rows}
    return [UUID(str(by_title[title])) for title in titles if title in by_title]


async def _add_campaign(settings: Settings) -> None:
    name, address = parseaddr(settings.mail_from)
    await create_campaign(
        CampaignIn(
            slug=CAMPAIGN_SLUG,
            entries=(await _news_ids())[:3],
            from_name=name,
            from_address=address,
            **CAMPAIGN,
        )
    )
