"""The shapes of press access: who is given an embargoed entry early, and who opened it when."""

import builtins
from datetime import datetime
from typing import Annotated
from uuid import UUID

from msgspec import Meta, Struct

from content.languages import Lang
from newsletters.subscriber_schemas import Address, ListSlug

MAX_ADDRESSES = 500


class PressAccessIn(Struct, forbid_unknown_fields=True):
    """Lists whose active members, and addresses, get a personal link; `lang` for unknown addresses."""

    lists: Annotated[list[ListSlug], Meta(max_length=50)] = []
    emails: Annotated[list[Address], Meta(max_length=MAX_ADDRESSES)] = []
    lang: Lang = "ka"


class PressGrantOut(Struct):
    """One journalist's access: where the address came from, whether it was mailed, each opening."""

    id: UUID
    email: str
    lang: str
    list: str | None
    granted_at: datetime
    mailed_at: datetime | None
    revoked_at: datetime | None
    openings: builtins.list[datetime]  # `list` is a field name here


class PressAccessOut(Struct):
    """Every grant of an entry, newest first; after a grant, how many addresses were new."""

    items: list[PressGrantOut]
    granted: int = 0
