"""Consent records: the texts people are shown, by version and language, and the append-only log."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import msgspec

from core.db import utcnow
from newsletters.tables import ConsentEvent

CONSENT_VERSION: Final = "2026-12-02"  # 2026-12-02: "leave" (leaving some lists) added
# What a person agrees to on the subscription form and the pages; recorded word for word.
CONSENT_TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "subscribe": "ვეთანხმები, რომ მიგრაციის საკითხთა სამთავრობო კომისიის სამდივნომ ჩემს ელფოსტაზე "
        "გამომიგზავნოს არჩეული სიების საინფორმაციო ბიულეტენები. გამოწერის გაუქმება ნებისმიერ დროს "
        "შემიძლია ერთი დაწკაპუნებით, ხოლო ჩემი მონაცემების წაშლა — მოთხოვნით.",
        "unsubscribe": "აღარ მსურს სამდივნოს საინფორმაციო ბიულეტენების მიღება.",
        "leave": "აღარ მსურს ამ სიების საინფორმაციო ბიულეტენების მიღება; სხვა სიებში ვრჩები.",
        "preferences": "ვცვლი ჩემს არჩევანს: მსურს მივიღო მხოლოდ მონიშნული სიები არჩეულ ენაზე.",
    },
    "en": {
        "subscribe": "I agree that the Secretariat of the State Commission on Migration Issues may send "
        "newsletters of the chosen lists to my mail address. I can unsubscribe at any time with one "
        "click and have my data erased on request.",
        "unsubscribe": "I no longer wish to receive the Secretariat's newsletters.",
        "leave": "I no longer wish to receive the newsletters of these lists; I stay on the others.",
        "preferences": "I change my choice: I wish to receive only the ticked lists, in the chosen language.",
    },
}


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a consent step came from: the request's address and agent, the channel, the staff member."""

    source: str
    ip: str = ""
    user_agent: str = ""
    staff_id: UUID | None = None


class ConsentEventOut(msgspec.Struct):
    """One step of a subscriber's consent history, as admins read it."""

    id: UUID
    action: str
    created_at: datetime
    source: str
    ip: str
    user_agent: str
    lists: list[str]
    lang: str
    consent_text: str
    consent_version: str
    basis: str
    staff_id: UUID | None


def consent_text(lang: str, purpose: str) -> str:
    """The exact text shown for `purpose` in `lang`."""
    return CONSENT_TEXTS.get(lang, CONSENT_TEXTS["ka"])[purpose]


def event_row(
    subscriber_id: UUID,
    action: str,
    origin: Origin,
    *,
    lang: str,
    lists: list[str],
    purpose: str | None = None,
    basis: str = "",
    at: datetime | None = None,
) -> ConsentEvent:
    """A consent event, not yet saved; `purpose` picks the consent text recorded with it."""
    return ConsentEvent(
        subscriber=subscriber_id,
        action=action,
        created_at=at or utcnow(),
        source=origin.source,
        ip=origin.ip[:64],
        user_agent=origin.user_agent[:1000],
        lists=sorted(lists),
        lang=lang,
        consent_text=consent_text(lang, purpose) if purpose else "",
        consent_version=CONSENT_VERSION if purpose else "",
        basis=basis,
        staff_id=origin.staff_id,
    )


async def record(
    subscriber_id: UUID,
    action: str,
    origin: Origin,
    *,
    lang: str,
    lists: list[str],
    purpose: str | None = None,
    basis: str = "",
) -> None:
    """Append one consent event (inside the caller's transaction)."""
    await event_row(
        subscriber_id, action, origin, lang=lang, lists=lists, purpose=purpose, basis=basis
    ).save()


async def history(subscriber_id: UUID) -> list[ConsentEventOut]:
    """Every consent event of a subscriber, oldest first."""
    rows = await (
        ConsentEvent.select()
        .where(ConsentEvent.subscriber == subscriber_id)
        .order_by(ConsentEvent.created_at)
        .order_by(ConsentEvent.id)
        .output(load_json=True)
    )
    return [_event_out(row) for row in rows]


def _event_out(row: dict[str, Any]) -> ConsentEventOut:
    return ConsentEventOut(
        id=row["id"],
        action=row["action"],
        created_at=row["created_at"],
        source=row["source"],
        ip=row["ip"],
        user_agent=row["user_agent"],
        lists=list(row["lists"] or []),
        lang=row["lang"],
        consent_text=row["consent_text"],
        consent_version=row["consent_version"],
        basis=row["basis"],
        staff_id=row["staff_id"],
    )


async def forget_personal_data(subscriber_id: UUID) -> None:
    """Erasure: keep each event, its lists, text and basis; drop the network address and the agent."""
    await ConsentEvent.update({ConsentEvent.ip: "", ConsentEvent.user_agent: ""}).where(
        ConsentEvent.subscriber == subscriber_id
    )
