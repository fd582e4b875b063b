"""What a campaign draft holds: fields checked, a free slug, entries frozen, and the shape editors read."""

import re
from email.utils import parseaddr
from typing import Any, Final
from uuid import UUID

from content.feeds.links import FeedSite
from content.tables import Entry, EntryTranslation
from core.db import as_utc
from core.errors import Conflict, Invalid
from newsletters.campaign_schemas import CampaignIn, CampaignOut, Counts
from newsletters.campaigns import ledger
from newsletters.covers import mail_covers
from newsletters.mime import checked_address
from newsletters.rendering import CONTROL_CHARACTERS
from newsletters.tables import Campaign, MailingList
from newsletters.template_store import template_row

# A campaign whose complaint rate passes this is flagged (Gmail and Yahoo throttle a sender at 0.3 %).
COMPLAINT_ALERT: Final = 0.001

LANGS: Final = ("ka", "en")
SLUG: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
# Slugs that would read as a route of their own: `/api/v1/campaigns/digest` drafts a digest.
RESERVED_SLUGS: Final = frozenset({"digest"})


async def campaign_out(row: dict[str, Any]) -> CampaignOut:
    """A campaign's row as editors read it, with its delivery counts."""
    template = await template_row(str(row["template"]))
    return campaign_shape(row, template["slug"], await ledger.counts(row["id"]))


def campaign_shape(row: dict[str, Any], template_slug: str, counts: Counts) -> CampaignOut:
    """A campaign's row, its template's slug and its counts, as editors read them."""
    # Complained rows are sent rows; late hard bounces left the sent count, but were sent too.
    mailed = counts.sent + counts.bounced
    rate = counts.complained / mailed if mailed else 0.0
    return CampaignOut(
        id=row["id"],
        slug=row["slug"],
        status=row["status"],
        template=template_slug,
        subject={"ka": row["subject_ka"], "en": row["subject_en"]},
        intro={"ka": row["intro_ka"], "en": row["intro_en"]},
        entries=[UUID(str(each)) for each in row["entries"]],
        lists=list(row["lists"]),
        audience=row["audience"],
        audience_spec=dict(row["audience_spec"] or {}),
        from_name=row["from_name"],
        from_address=row["from_address"],
        reply_to=row["reply_to"],
        send_at=as_utc(row["send_at"]),
        started_at=as_utc(row["started_at"]),
        sent_at=as_utc(row["sent_at"]),
        counts=counts,
        complaint_rate=round(rate, 6),
        complaints_flagged=rate > COMPLAINT_ALERT,
    )


def _one_line(value: str, limit: int, field: str) -> str:
    """A header text as given, or refused: a line break could add headers, and silent cuts lose words."""
    if CONTROL_CHARACTERS.search(value):
        raise Invalid("line breaks and control characters are not allowed here", field=field)
    if len(value) > limit:
        raise Invalid(f"at most {limit} characters", field=field)
    return value


def sender(data: CampaignIn, mail_from: str) -> tuple[str, str]:
    """The campaign's sender name and address: each one left out is MAIL_FROM's."""
    default_name, default_address = parseaddr(mail_from) if mail_from else ("", "")
    name = data.from_name if data.from_name is not None else default_name
    address = (data.from_address or "").strip() or default_address
    if not address:
        raise Invalid("a campaign needs a sender address (from_address, or MAIL_FROM)", field="from_address")
    return name, address


async def checked(data: CampaignIn, mail_from: str = "", *, audience: str = "") -> dict[Any, Any]:
    """The draft's column values, or Invalid naming the field at fault; a sender left out is `mail_from`'s.

    A campaign to another `audience` (an event's registrants) names no lists.
    """
    if not all(data.subject.get(lang, "").strip() for lang in LANGS):
        raise Invalid("a campaign needs a subject in ka and en", field="subject")
    subjects = {lang: _one_line(data.subject[lang], 300, f"subject.{lang}") for lang in LANGS}
    name, address = sender(data, mail_from)
    from_name = _one_line(name, 200, "from_name")
    if audience and data.lists:
        raise Invalid(f"this campaign goes to an audience of its own ({audience}); it names no lists",
                      field="lists")  # fmt: skip
    if not data.lists and not audience:
        raise Invalid("name at least one list", field="lists")
    found = {
        row["slug"]
        for row in (
            await MailingList.select(MailingList.slug).where(MailingList.slug.is_in(data.lists))
            if data.lists
            else []
        )
    }
    if missing := sorted(set(data.lists) - found):
        raise Invalid(f"no such list: {', '.join(missing)}", field="lists")
    if data.entries:
        known = {row["id"] for row in await Entry.select(Entry.id).where(Entry.id.is_in(data.entries))}
        if missing_entries := [str(each) for each in data.entries if each not in known]:
            raise Invalid(f"no such entry: {', '.join(missing_entries)}", field="entries")
    checked_address(address, "from_address")
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
        Campaign.from_address: address,
        Campaign.reply_to: data.reply_to.strip() if data.reply_to else None,
    }


async def free_slug(slug: str) -> str:
    """A well-formed slug no campaign holds yet; call inside the write transaction."""
    if not SLUG.fullmatch(slug):
        raise Invalid("a slug is 1 to 100 lower-case letters, digits and hyphens", field="slug")
    if slug in RESERVED_SLUGS:
        raise Invalid(f"{slug!r} is kept for a route of its own; choose another slug", field="slug")
    if await Campaign.exists().where(Campaign.slug == slug):
        raise Conflict(f"a campaign {slug!r} exists", field="slug")
    return slug


async def frozen_content(row: dict[str, Any], site: FeedSite) -> dict[str, Any]:
    """The entries as they read now in each language: what the mail and the archive show."""
    ids = [UUID(str(each)) for each in row["entries"]]
    entries = (
        await Entry.select(Entry.id, Entry.kind, Entry.cover_id).where(Entry.id.is_in(ids)) if ids else []
    )
    kinds = {r["id"]: r["kind"] for r in entries}
    covers = await mail_covers({r["id"]: r["cover_id"] for r in entries if r["cover_id"]}, site.public_url)
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
                    **({"cover": covers[entry_id]} if entry_id in covers else {}),
                }
            )
        content[lang] = {
            "entries": items,
            "archive_url": f"{site.public_url}/newsletters/{lang}/{row['slug']}",
            "logo_url": site.mail_logo_url or "",
        }
    return content
