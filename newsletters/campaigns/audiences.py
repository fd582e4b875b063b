"""Audiences other than lists: who a campaign goes to, checked again at send time, and their links.

A campaign's `audience` names its kind ("" is the union of its lists, the engine's own). Another
kind (an event's registrants) lives in a package above this one; the worker hands its object to the
engine in `SendingConfig.audiences`, so the engine never imports it.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from newsletters.rendering import Personal
from newsletters.suppression import Recipient


@dataclass(frozen=True, slots=True)
class Footer:
    """What the mail's footer says in one language, in place of the list labels, and its page link."""

    labels: dict[str, str]  # overrides of rendering.LABELS (unsubscribe, preferences, why, archive)
    page_url: str  # in place of the archive link: a mail of this audience is not in the public archive


class Audience(Protocol):
    """Who a campaign of one kind goes to. Mails of such an audience are not list mail: they carry no
    List-Id nor List-Unsubscribe headers, only the personal opt-out link that `links` gives."""

    def recipients(self, spec: dict[str, Any]) -> AsyncIterator[Recipient]:
        """Everyone to mail, each once (`Recipient.id` is what the ledger's `subscriber` holds)."""
        ...

    async def deliverable(self, ids: list[UUID], spec: dict[str, Any]) -> set[UUID]:
        """Which of these may still be mailed now (opted out, erased or gone since are not)."""
        ...

    def links(self, public_url: str, name: str, token: str) -> Personal:
        """The recipient's own links: `unsubscribe_url` is the opt-out page of this audience."""
        ...

    async def footer(self, spec: dict[str, Any], lang: str, public_url: str) -> Footer:
        """The footer's texts and page link in `lang`."""
        ...


def audience_of(row: dict[str, Any], audiences: dict[str, Audience]) -> Audience | None:
    """The campaign's audience object, None for a campaign to lists; LookupError when none is configured."""
    kind = str(row.get("audience") or "")
    if not kind:
        return None
    if kind not in audiences:
        raise LookupError(f"no audience {kind!r} is configured for sending")
    return audiences[kind]
