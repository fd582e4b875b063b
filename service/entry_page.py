"""An entry shaped for its reading page: addresses, Open Graph, local times, cover and files."""

from datetime import datetime
from typing import Any, Final

from markupsafe import Markup

from content.feeds.links import FeedSite
from content.languages import LANGUAGES
from content.media.schemas import AssetOut
from content.schemas import EntryOut
from service.reading_texts import KIND_NAMES, LOCALES, format_date, local_time, texts

UNITS: Final = (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10))


def page_path(lang: str, kind: str, slug: str) -> str:
    """The reading page's path on this service."""
    return f"/{lang}/{kind}/{slug}"


def _size(size: int) -> str:
    for unit, bytes_in_unit in UNITS:
        if size >= bytes_in_unit:
            return f"{size / bytes_in_unit:.1f} {unit}"
    return f"{size} B"


def _asset_text(texts_by_lang: dict[str, str], lang: str) -> str:
    return texts_by_lang.get(lang) or ""


def _cover(asset: AssetOut, lang: str) -> dict[str, Any]:
    renditions = [r for r in asset.renditions or [] if r.mime == asset.mime]
    return {
        "url": asset.url,
        "alt": _asset_text(asset.alt, lang),
        "caption": _asset_text(asset.caption, lang),
        "credit": _asset_text(asset.credit, lang),
        "width": asset.width,
        "height": asset.height,
        "srcset": ", ".join(f"{r.url} {r.width}w" for r in renditions),
    }


def _attachment(asset: AssetOut, lang: str) -> dict[str, str]:
    extension = asset.filename.rsplit(".", 1)[-1].upper() if "." in asset.filename else asset.mime
    return {
        "url": asset.url,
        "mime": asset.mime,
        "label": _asset_text(asset.caption, lang) or asset.filename or texts(lang)["file"],
        "details": f"{extension}, {_size(asset.size)}",
    }


def _moment(value: object) -> datetime | None:
    """A time field's value, when it holds one (kind fields are unset on other kinds)."""
    return value if isinstance(value, datetime) else None


def _event(entry: EntryOut, lang: str) -> dict[str, str] | None:
    """An event's start and end on its own clock (Tbilisi's unless it names another zone)."""
    if entry.kind != "events":
        return None
    zone = entry.timezone if isinstance(entry.timezone, str) and entry.timezone else None
    starts, ends = _moment(entry.starts_at), _moment(entry.ends_at)
    found: dict[str, str] = {}
    if starts is not None:
        found["starts"] = format_date(starts, lang, with_time=True, timezone=zone)
        found["starts_iso"] = local_time(starts, zone).isoformat()
        found["zone"] = str(local_time(starts, zone).tzinfo)
        if ends is not None:
            found["ends"] = format_date(ends, lang, with_time=True, timezone=zone)
            found["ends_iso"] = local_time(ends, zone).isoformat()
    return found


def entry_context(entry: EntryOut, site: FeedSite, public_url: str) -> dict[str, Any]:
    """What entry.html shows of an entry in its language."""
    lang = entry.lang
    slugs = {ref.lang: ref.slug for ref in entry.translations}
    alternates = [
        {
            "lang": code,
            "url": site.entry_url(entry.kind, code, slugs[code], entry.id),
            "locale": LOCALES[code],
        }
        for code in LANGUAGES
        if code in slugs
    ]
    others = [
        {"lang": code, "path": page_path(code, entry.kind, slugs[code]), "label": texts(code)["read_in"]}
        for code in LANGUAGES
        if code in slugs and code != lang
    ]
    cover = _cover(entry.cover, lang) if entry.cover is not None else None
    updated = None
    if entry.published_at is not None and entry.updated_at.date() != entry.published_at.date():
        updated = format_date(entry.updated_at, lang)
    deadline = _moment(entry.deadline) if entry.kind == "announcements" else None
    return {
        "entry": entry,
        "title": entry.title,
        "kind_name": KIND_NAMES.get(lang, KIND_NAMES["ka"])[entry.kind],
        "canonical": site.entry_url(entry.kind, lang, entry.slug, entry.id),
        "alternates": alternates if len(alternates) > 1 else [],
        "others": others,
        "locale": LOCALES[lang],
        "image": {"url": f"{public_url}{cover['url']}", "alt": cover["alt"]} if cover else None,
        "cover": cover,
        "body": Markup(entry.body_html),  # noqa: S704 (sanitised by content/markup.py when saved)
        "attachments": [_attachment(asset, lang) for asset in entry.attachments],
        "event": _event(entry, lang),
        "deadline": format_date(deadline, lang, with_time=True) if deadline is not None else None,
        "updated": updated,
    }
