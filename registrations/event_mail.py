"""Mail to an event's registrants through the campaign engine: the audience, its drafts, and opting out.

Such a campaign is no list mail: no List-Id nor one-click List-Unsubscribe, but every mail links the
registrant's own opt-out page ("stop mail about this event"). Opting out stops these campaigns only;
mails about the person's own registration (confirmation, place, change of time or place, cancellation)
still go out, as they are the service they asked for.
"""

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any, Final, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from content.languages import LANGUAGES
from content.tables import Entry, EntryTranslation
from core.db import utcnow, write_transaction
from core.errors import Conflict, NotFound
from newsletters.campaign_schemas import CampaignIn, CampaignOut
from newsletters.campaigns.audiences import Audience, Footer
from newsletters.campaigns.states import create_campaign
from newsletters.rendering import Personal
from newsletters.suppression import Recipient
from registrations.signup import registration_by_token
from registrations.tables import Registration

KIND: Final = "event"
# Those an event mail may go to: never pending (not confirmed), cancelled, refused nor erased.
Mailable = Literal["registered", "waitlisted", "accreditation_pending", "accredited"]
MAILABLE: Final[tuple[Mailable, ...]] = ("registered", "waitlisted", "accreditation_pending", "accredited")

FOOTER_TEXTS: Final[dict[str, dict[str, str]]] = {
    "ka": {
        "unsubscribe": "ამ ღონისძიების შესახებ წერილების შეწყვეტა",
        "preferences": "თქვენი რეგისტრაცია",
        "why": "ამ წერილს იღებთ, რადგან დარეგისტრირდით ღონისძიებაზე „{title}“.",
        "archive": "ღონისძიება ვებგვერდზე",
    },
    "en": {
        "unsubscribe": "Stop mail about this event",
        "preferences": "Your registration",
        "why": "You receive this mail because you registered for “{title}”.",
        "archive": "The event on the website",
    },
}


class EventMailIn(msgspec.Struct, forbid_unknown_fields=True):
    """A draft campaign to an event's registrants: the campaign's fields without lists or entries, and
    which registrants (by status; all that may be mailed when left out)."""

    template: str
    subject: dict[str, str]
    intro: dict[str, str] = msgspec.field(default_factory=dict)
    statuses: Annotated[list[Mailable], Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: list(MAILABLE)
    )
    from_name: str | None = None
    from_address: str | None = None
    reply_to: str | None = None
    slug: str | None = None


def _mailable(event_id: UUID, statuses: Sequence[str]) -> Any:
    """Registrations of the event in these statuses that may be mailed: not erased, not opted out."""
    return (
        (Registration.event == event_id)
        & Registration.status.is_in([each for each in statuses if each in MAILABLE] or ["-"])
        & Registration.erased_at.is_null()
        & Registration.email.is_not_null()
        & Registration.token.is_not_null()
        & Registration.event_mail_opted_out_at.is_null()
    )


async def mailable_count(event_id: UUID, statuses: Sequence[str]) -> int:
    """How many registrants a mail to these statuses would reach now."""
    return int(await Registration.count().where(_mailable(event_id, statuses)))


async def create_draft(event_id: UUID, data: EventMailIn, *, mail_from: str = "") -> CampaignOut:
    """A draft campaign to the event's registrants in `data.statuses`; Conflict when none may be mailed."""
    statuses = sorted(set(data.statuses), key=MAILABLE.index)
    if not await mailable_count(event_id, statuses):
        raise Conflict("no registrant of this event in these statuses may be mailed", field="statuses")
    draft = CampaignIn(
        template=data.template, subject=data.subject, intro=data.intro, from_name=data.from_name,
        from_address=data.from_address, reply_to=data.reply_to, slug=data.slug,
    )  # fmt: skip
    spec = {"event": str(event_id), "statuses": statuses}
    return await create_campaign(draft, mail_from=mail_from, audience=(KIND, spec))


class EventAudience:
    """The registrants of one event (campaigns.audiences.Audience), each once, in their language."""

    async def recipients(self, spec: dict[str, Any]) -> AsyncIterator[Recipient]:
        rows = await Registration.select(
            Registration.id, Registration.email, Registration.lang, Registration.name, Registration.token
        ).where(_mailable(UUID(spec["event"]), list(spec["statuses"])))
        for row in rows:
            yield Recipient(id=row["id"], email=row["email"], lang=row["lang"], name=row["name"],
                            token=row["token"])  # fmt: skip

    async def deliverable(self, ids: list[UUID], spec: dict[str, Any]) -> set[UUID]:
        if not ids:
            return set()
        where = _mailable(UUID(spec["event"]), list(spec["statuses"])) & Registration.id.is_in(ids)
        return {row["id"] for row in await Registration.select(Registration.id).where(where)}

    def links(self, public_url: str, name: str, token: str) -> Personal:
        return Personal(
            name=name,
            unsubscribe_url=f"{public_url}/registrations/{token}/event-mail",
            preferences_url=f"{public_url}/registrations/{token}",
        )

    async def footer(self, spec: dict[str, Any], lang: str, public_url: str) -> Footer:
        texts = {
            row["lang"]: row
            for row in await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.title,
                                                     EntryTranslation.slug)
            .where(EntryTranslation.entry == UUID(spec["event"]))
        }  # fmt: skip
        chosen = lang if lang in texts else next((code for code in LANGUAGES if code in texts), lang)
        text = texts.get(chosen, {"title": "", "slug": ""})
        labels = dict(FOOTER_TEXTS[lang])
        labels["why"] = labels["why"].format(title=text["title"])
        return Footer(labels=labels, page_url=f"{public_url}/{chosen}/events/{text['slug']}")


AUDIENCE: Final = EventAudience()
# What the campaign engine is handed (the worker's SendingConfig, the console's preview).
AUDIENCES: Final[dict[str, Audience]] = {KIND: AUDIENCE}


async def event_of(token: str) -> dict[str, Any]:
    """The registration a personal link names (its event, language, and whether it opted out)."""
    return await registration_by_token(token)


async def opt_out(token: str) -> dict[str, Any]:
    """Stop event mail to the registration this link names (once; a repeat changes nothing)."""
    async with write_transaction(Registration):
        row = await event_of(token)
        if row["event_mail_opted_out_at"] is None:
            now = utcnow()
            await Registration.update(
                {Registration.event_mail_opted_out_at: now, Registration.updated_at: now}
            ).where(Registration.id == row["id"])
            row = {**row, "event_mail_opted_out_at": now}
    return row


async def event_title(event_id: UUID, lang: str) -> str:
    """The event's title in `lang`, else in the other language."""
    rows = await EntryTranslation.select(EntryTranslation.lang, EntryTranslation.title).where(
        EntryTranslation.entry == event_id
    )
    titles = {row["lang"]: row["title"] for row in rows}
    return titles.get(lang) or next(iter(titles.values()), "")


async def titles(event_id: UUID) -> dict[str, str]:
    """The event's title in each language (the other's where one is missing): a draft's first subject."""
    exists = await Entry.exists().where((Entry.id == event_id) & (Entry.kind == "events"))
    if not exists:
        raise NotFound("no such event")
    return {lang: await event_title(event_id, lang) for lang in LANGUAGES}
