"""The campaign state machine: a bilingual draft, then scheduled, sending, paused, sent or cancelled."""

import re
import secrets
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from content.feeds.links import FeedSite
from content.tables import Entry, EntryTranslation
from core.db import as_utc, utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound
from newsletters.campaign_schemas import CampaignIn, CampaignOut
from newsletters.campaigns import ledger
from newsletters.mime import checked_address
from newsletters.rendering import CONTROL_CHARACTERS
from newsletters.tables import Campaign, MailingList
from newsletters.template_store import template_row

LANGS: Final = ("ka", "en")
SLUG: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
# Sending -> sent happens when the ledger has nothing left (finish_if_done); the other moves are below.
PAUSABLE: Final = frozenset({"scheduled", "sending"})
CANCELLABLE: Final = frozenset({"draft", "scheduled", "sending", "paused"})


async def _row(campaign_id: UUID) -> dict[str, Any]:
    row = await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    if row is None:
        raise NotFound(f"no campaign {campaign_id}")
    return row


async def _out(row: dict[str, Any]) -> CampaignOut:
    template = await template_row(str(row["template"]))
    return CampaignOut(
        id=row["id"],
        slug=row["slug"],
        status=row["status"],
        template=template["slug"],
        subject={"ka": row["subject_ka"], "en": row["subject_en"]},
        intro={"ka": row["intro_ka"], "en": row["intro_en"]},
        entries=[UUID(str(each)) for each in row["entries"]],
        lists=list(row["lists"]),
        from_name=row["from_name"],
        from_address=row["from_address"],
        reply_to=row["reply_to"],
        send_at=as_utc(row["send_at"]),
        started_at=as_utc(row["started_at"]),
        sent_at=as_utc(row["sent_at"]),
        counts=await ledger.counts(row["id"]),
    )


def _one_line(value: str, limit: int, field: str) -> str:
    """A header text as given, or refused: a line break could add headers, and silent cuts lose words."""
    if CONTROL_CHARACTERS.search(value):
        raise Invalid("line breaks and control characters are not allowed here", field=field)
    if len(value) > limit:
        raise Invalid(f"at most {limit} characters", field=field)
    return value


async def _checked(data: CampaignIn) -> dict[Any, Any]:
    if not all(data.subject.get(lang, "").strip() for lang in LANGS):
        raise Invalid("a campaign needs a subject in ka and en", field="subject")
    subjects = {lang: _one_line(data.subject[lang], 300, f"subject.{lang}") for lang in LANGS}
    from_name = _one_line(data.from_name, 200, "from_name")
    if not data.lists:
        raise Invalid("name at least one list", field="lists")
    found = {
        row["slug"]
        for row in await MailingList.select(MailingList.slug).where(MailingList.slug.is_in(data.lists))
    }
    if missing := sorted(set(data.lists) - found):
        raise Invalid(f"no such list: {', '.join(missing)}", field="lists")
    if data.entries:
        known = {row["id"] for row in await Entry.select(Entry.id).where(Entry.id.is_in(data.entries))}
        if missing_entries := [str(each) for each in data.entries if each not in known]:
            raise Invalid(f"no such entry: {', '.join(missing_entries)}", field="entries")
    checked_address(data.from_address, "from_address")
    if data.reply_to:
        checked_address(data.reply_to, "reply_to")
    template = await template_row(data.template)
    return {
        Campaign.template: template["id"],
        Campaign.subject_ka: subjects["ka"],
        Campaign.subject_en: subjects["en"],
        Campaign.intro_ka: data.intro.get("ka", ""),
        Campaign.intro_en: data.intro.get("en", ""),
        Campaign.entries: [str(each) for each in data.entries],
        Campaign.lists: sorted(set(data.lists)),
        Campaign.from_name: from_name,
        Campaign.from_address: data.from_address.strip(),
        Campaign.reply_to: data.reply_to.strip() if data.reply_to else None,
    }


async def _free_slug(slug: str) -> str:
    """A well-formed slug no campaign holds yet; call inside the write transaction."""
    if not SLUG.fullmatch(slug):
        raise Invalid("a slug is 1 to 100 lower-case letters, digits and hyphens", field="slug")
    if await Campaign.exists().where(Campaign.slug == slug):
        raise Conflict(f"a campaign {slug!r} exists", field="slug")
    return slug


async def create_campaign(data: CampaignIn) -> CampaignOut:
    """Save a draft."""
    values = await _checked(data)
    now = utcnow()
    async with write_transaction(Campaign):
        slug = await _free_slug(data.slug or f"{now:%Y-%m-%d}-{secrets.token_hex(3)}")
        row = Campaign(slug=slug, status="draft", created_at=now, updated_at=now)
        for column, value in values.items():
            setattr(row, column._meta.name, value)
        await row.save()
    return await get_campaign(row.id)


async def change_campaign(campaign_id: UUID, data: CampaignIn) -> CampaignOut:
    """Rewrite a draft."""
    values = await _checked(data)
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        if row["status"] != "draft":
            raise Conflict(f"only a draft can be changed; this campaign is {row['status']}")
        if data.slug is not None and data.slug != row["slug"]:
            values[Campaign.slug] = await _free_slug(data.slug)
        await Campaign.update({**values, Campaign.updated_at: utcnow()}).where(Campaign.id == campaign_id)
    return await get_campaign(campaign_id)


async def get_campaign(campaign_id: UUID) -> CampaignOut:
    """A campaign with its counts."""
    return await _out(await _row(campaign_id))


async def list_campaigns() -> list[CampaignOut]:
    """Every campaign, newest first."""
    return [
        await _out(row)
        for row in await Campaign.select()
        .output(load_json=True)
        .order_by(Campaign.created_at, ascending=False)
    ]


async def frozen_content(row: dict[str, Any], site: FeedSite) -> dict[str, Any]:
    """The entries as they read now in each language: what the mail and the archive show."""
    ids = [UUID(str(each)) for each in row["entries"]]
    kinds = (
        {r["id"]: r["kind"] for r in await Entry.select(Entry.id, Entry.kind).where(Entry.id.is_in(ids))}
        if ids
        else {}
    )
    translations = (
        await EntryTranslation.select(
            EntryTranslation.entry, EntryTranslation.lang, EntryTranslation.slug,
            EntryTranslation.title, EntryTranslation.summary,
        ).where(EntryTranslation.entry.is_in(ids))
        if ids
        else []
    )  # fmt: skip
    by_key = {(t["entry"], t["lang"]): t for t in translations}
    content: dict[str, Any] = {}
    for lang in LANGS:
        items = []
        for entry_id in ids:
            text = by_key.get((entry_id, lang)) or by_key.get((entry_id, "ka" if lang == "en" else "en"))
            if text is None:
                continue
            items.append(
                {
                    "title": text["title"],
                    "summary": text["summary"],
                    "url": site.entry_url(kinds[entry_id], text["lang"], text["slug"], entry_id),
                    "kind": kinds[entry_id],
                }
            )
        content[lang] = {
            "entries": items,
            "archive_url": f"{site.public_url}/newsletters/{lang}/{row['slug']}",
        }
    return content


async def request_send(campaign_id: UUID, at: datetime | None, site: FeedSite) -> CampaignOut:
    """Schedule a draft for `at` (now when absent); its content is frozen here."""
    now = utcnow()
    when = as_utc(at) or now
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        if row["status"] != "draft":
            raise Conflict(f"only a draft can be sent; this campaign is {row['status']}")
        await Campaign.update(
            {
                Campaign.status: "scheduled",
                Campaign.send_at: max(when, now),
                Campaign.content: await frozen_content(row, site),
                Campaign.updated_at: now,
            }
        ).where(Campaign.id == campaign_id)
    return await get_campaign(campaign_id)


async def start_due(campaign_id: UUID) -> int | None:
    """Write the ledger of a scheduled campaign that is due and mark it sending: the round, or None.

    Ledger rows and the state change commit together, so a job that runs twice writes nothing twice.
    """
    now = utcnow()
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        send_at = as_utc(row["send_at"])
        if row["status"] != "scheduled" or (send_at is not None and send_at > now):
            return None
        await ledger.write(campaign_id, list(row["lists"]), now)
        await Campaign.update(
            {Campaign.status: "sending", Campaign.started_at: now, Campaign.round: row["round"] + 1,
             Campaign.updated_at: now}
        ).where(Campaign.id == campaign_id)  # fmt: skip
        return int(row["round"]) + 1


async def _locked_row(campaign_id: UUID, allowed: frozenset[str], verb: str) -> dict[str, Any]:
    """The campaign's row inside the caller's write transaction, or Conflict when its state refuses `verb`."""
    row = await _row(campaign_id)
    if row["status"] not in allowed:
        raise Conflict(f"a {row['status']} campaign cannot {verb}")
    return row


async def pause_campaign(campaign_id: UUID) -> CampaignOut:
    """Pause a scheduled or sending campaign; batches check the state as they mark, so within one batch."""
    async with write_transaction(Campaign):
        await _locked_row(campaign_id, PAUSABLE, "pause")
        await Campaign.update({Campaign.status: "paused", Campaign.updated_at: utcnow()}).where(
            Campaign.id == campaign_id
        )
    return await get_campaign(campaign_id)


async def resume_campaign(campaign_id: UUID) -> CampaignOut:
    """Resume a paused campaign in a new round (the paused round's jobs stop); scheduled if it never began."""
    async with write_transaction(Campaign):
        row = await _locked_row(campaign_id, frozenset({"paused"}), "resume")
        await Campaign.update(
            {Campaign.status: "sending" if row["started_at"] is not None else "scheduled",
             Campaign.round: row["round"] + 1, Campaign.updated_at: utcnow()}
        ).where(Campaign.id == campaign_id)  # fmt: skip
    return await get_campaign(campaign_id)


async def cancel_campaign(campaign_id: UUID) -> CampaignOut:
    """Cancel a campaign that is not sent yet; what was sent stays sent, the rest is never sent."""
    async with write_transaction(Campaign):
        await _locked_row(campaign_id, CANCELLABLE, "cancel")
        await Campaign.update({Campaign.status: "cancelled", Campaign.updated_at: utcnow()}).where(
            Campaign.id == campaign_id
        )
    return await get_campaign(campaign_id)


async def finish_if_done(campaign_id: UUID) -> bool:
    """Mark a sending campaign sent when no delivery is left to try."""
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        if row["status"] != "sending" or await ledger.open_rows(campaign_id):
            return False
        now = utcnow()
        await Campaign.update(
            {Campaign.status: "sent", Campaign.sent_at: now, Campaign.updated_at: now}
        ).where(Campaign.id == campaign_id)
    return True


async def active_campaigns() -> list[tuple[UUID, str, int]]:
    """Campaigns the reconciler looks after: (id, status, round) of scheduled and sending ones."""
    rows = await Campaign.select(Campaign.id, Campaign.status, Campaign.round).where(
        Campaign.status.is_in(["scheduled", "sending"])
    )
    return [(row["id"], row["status"], int(row["round"])) for row in rows]


async def refresh_content(campaign_id: UUID, site: FeedSite) -> None:
    """Freeze a draft's entries as they read now, for a test send."""
    async with write_transaction(Campaign):
        row = await _row(campaign_id)
        if row["status"] == "draft":
            await Campaign.update({Campaign.content: await frozen_content(row, site)}).where(
                Campaign.id == campaign_id
            )
