"""Signed-in console clients of each role, and entries written through the domain as the API writes them."""

import re
from dataclasses import dataclass
from uuid import UUID

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from content.entries import create_entry
from content.schemas import Actor, EntryIn, TranslationIn
from service.console.session import SESSION_COOKIE
from tests.service.console.conftest import ConsoleClient

ROW_LINK = re.compile(r'<td><a href="/console/(\w+)/([0-9a-f-]{36})"')


@dataclass(frozen=True)
class Person:
    """A staff member signed in to the console, and the same person as the domain's writer."""

    id: UUID
    name: str
    actor: Actor


async def sign_in_as(console: ConsoleClient, role: str, *, lang: str = "en", name: str = "") -> Person:
    """A new staff member of `role`, signed in on `console` (any earlier session cookie replaced)."""
    name = name or f"{role.title()} {lang}"
    email = f"{name.lower().replace(' ', '.')}@scmi.test"
    invitation = await invite_staff(email, role, name, lang=lang)
    token = await start_session(invitation.staff_id, stage="signed_in")
    console.cookies.set(SESSION_COOKIE, token, domain="newsroom.test", path="/console")
    actor = Actor(
        id=invitation.staff_id, name=name, can_edit_any=role != "author", can_publish=role != "author"
    )
    return Person(id=invitation.staff_id, name=name, actor=actor)


async def write(
    kind: str, actor: Actor, titles: dict[str, str], *, topics: list[str] | None = None, body: str = ""
) -> UUID:
    """A draft with the given titles (one per language), through content.entries."""
    data = EntryIn(
        translations={lang: TranslationIn(title=title, body=body) for lang, title in titles.items()},
        topics=topics or [],
    )
    entry = await create_entry(kind, data, actor)
    return entry.id


def row_ids(html: str) -> list[str]:
    """The entry ids of a list page's rows, in order."""
    return [entry_id for _, entry_id in ROW_LINK.findall(html)]
