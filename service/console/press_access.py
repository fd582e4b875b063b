"""The entry editor's "press access" section: give an embargoed entry to journalists, see, withdraw."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import msgspec
from litestar.datastructures import FormMultiDict

from accounts.console_sessions import ConsoleUser
from content.languages import LANGUAGES
from content.schemas import EntryOut
from core.errors import Conflict, Invalid
from newsletters.lists import list_lists
from newsletters.press import access
from newsletters.press.schemas import MAX_ADDRESSES, PressAccessIn
from newsletters.press.wording import embargo_line
from service.auth import actor_of

ADDRESS_SEPARATORS: Final = re.compile(r"[\s,;]+")
POSITION: Final = re.compile(r"\[(\d+)\]")


@dataclass
class PressForm:
    """What the editor chose and typed, kept whole for a refusal."""

    lists: list[str] = field(default_factory=list)
    emails: str = ""
    lang: str = LANGUAGES[0]


def read_press_form(form: FormMultiDict) -> PressForm:
    """The posted section: ticked lists, the addresses' text, the language for unknown addresses."""
    lang = str(form.get("press_lang", LANGUAGES[0]))
    return PressForm(
        lists=[value for value in form.getall("press_lists", []) if isinstance(value, str)],
        emails=str(form.get("press_emails", "")),
        lang=lang if lang in LANGUAGES else LANGUAGES[0],
    )


def addresses_of(text: str) -> list[str]:
    """The addresses typed, one a line (commas, semicolons and spaces also part them)."""
    return [part for part in ADDRESS_SEPARATORS.split(text) if part]


def _embargo_end(entry: EntryOut, now: datetime) -> datetime | None:
    row = {"status": entry.status, "embargo_until": entry.embargo_until, "publish_at": entry.publish_at}
    return access.embargo_end(row, now)


async def press_section(user: ConsoleUser, entry: EntryOut | None, now: datetime) -> dict[str, Any] | None:
    """What the section shows an editor: the embargo, the lists to choose from, who has access.

    Nothing for authors, new entries, or entries never under embargo that nobody was given.
    """
    if entry is None or not user.principal.has_role("editor"):
        return None
    grants = (await access.list_access(entry.kind, entry.id, actor_of(user.principal))).items
    until = _embargo_end(entry, now)
    if until is None and not grants:
        return None
    lang = user.interface_lang
    return {
        "embargo": embargo_line(until, lang) if until else None,
        "lists": await list_lists() if until else [],
        "grants": grants,
    }


def refusal(error: Exception, form: PressForm, texts: dict[str, str]) -> dict[str, str]:
    """The section's field and message for a refused grant."""
    if isinstance(error, Conflict):
        return {"press_emails": texts["ed_err_press_embargo"]}
    where = str(getattr(error, "field", None) or error)
    if "lists" in where:
        return {"press_lists": texts["ed_err_press_none"]}
    position = POSITION.search(where)
    typed = addresses_of(form.emails)
    if position and int(position.group(1)) < len(typed):
        address = typed[int(position.group(1))][:80]
        return {"press_emails": texts["ed_err_press_address"].format(address=address)}
    if len(typed) > MAX_ADDRESSES:
        return {"press_emails": texts["ed_err_press_too_many"]}
    return {"press_emails": texts["ed_err_press_none"]}


def press_in(form: PressForm) -> PressAccessIn:
    """The API's body from the section (msgspec checks lengths, patterns and the count)."""
    data = {"lists": form.lists, "emails": addresses_of(form.emails), "lang": form.lang}
    return msgspec.convert(data, PressAccessIn)


async def grant_from_form(
    kind: str, entry: EntryOut, form: PressForm, user: ConsoleUser, *, secret_key: str, texts: dict[str, str]
) -> tuple[list[UUID], dict[str, str]]:
    """Grant what the form asks: the new grants' ids, or the errors that stopped it (nothing written)."""
    try:
        _, new = await access.grant_access(
            kind, entry.id, press_in(form), actor_of(user.principal), secret_key=secret_key
        )
    except (Invalid, Conflict, msgspec.ValidationError) as error:
        return [], refusal(error, form, texts)
    return new, {}
