"""The shapes newsletters take in and give out: msgspec structures, validated on decode."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType

from content.languages import Lang

ListSlug = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Address = Annotated[str, Meta(min_length=1, max_length=320)]
PersonName = Annotated[str, Meta(max_length=200)]
Organisation = Annotated[str, Meta(max_length=300)]
Basis = Annotated[str, Meta(min_length=3, max_length=2000)]
ListName = Annotated[str, Meta(min_length=1, max_length=200)]
Status = Literal["pending", "active", "unsubscribed", "bounced", "complained", "erased"]
SlugList = Annotated[list[ListSlug], Meta(max_length=50)]


class Names(Struct, forbid_unknown_fields=True):
    """A text in both languages."""

    ka: str
    en: str


class SubscribeIn(Struct, forbid_unknown_fields=True):
    """A sign-up from the public form: double opt-in follows."""

    email: Address
    lists: Annotated[list[ListSlug], Meta(min_length=1, max_length=50)]
    consent: bool
    lang: Lang = "ka"
    name: PersonName = ""
    organisation: Organisation = ""


class Accepted(Struct):
    """The one answer to every well-formed sign-up, known address or not."""

    status: str = "accepted"
    detail: str = "If this address can receive mail, a confirmation message is on its way."


class PreferencesIn(Struct, forbid_unknown_fields=True):
    """A subscriber's choice of lists and language."""

    lang: Lang
    lists: SlugList


class ListChoice(Struct):
    """A public list on the preferences page, and whether the subscriber is on it."""

    slug: str
    name: str
    description: str
    subscribed: bool
    pending: bool = False  # signed up, not confirmed yet


class SubscriptionState(Struct):
    """What the pages show (and answer in JSON): the subscriber's status, language and lists."""

    status: str
    lang: str
    lists: list[ListChoice]
    token: str  # the link token the person already holds; the pages link to each other with it
    address: str = ""  # partly masked (n***@example.org): whose subscription the page is about


class ListNames(Struct, forbid_unknown_fields=True):
    """A list's name in both languages."""

    ka: ListName
    en: ListName


class ListIn(Struct, forbid_unknown_fields=True):
    """A new audience."""

    slug: ListSlug
    name: ListNames
    public: bool = False
    description: Names | None = None


class ListPatch(Struct, forbid_unknown_fields=True):
    """A change to an audience; fields left out stay as they are."""

    name: ListNames | UnsetType = UNSET
    public: bool | UnsetType = UNSET
    description: Names | UnsetType = UNSET


class ListOut(Struct):
    """An audience as staff see it, with how many are on it (never who)."""

    slug: str
    name: Names
    description: Names
    public: bool
    created_at: datetime
    active: int
    pending: int
    counts: dict[str, int]  # memberships by status: pending, active, unsubscribed


class SubscriberIn(Struct, forbid_unknown_fields=True):
    """A subscriber added by staff, on a recorded legal basis (for example a partnership agreement)."""

    email: Address
    basis: Basis
    lists: SlugList
    lang: Lang = "ka"
    name: PersonName = ""
    organisation: Organisation = ""


class SubscriberPatch(Struct, forbid_unknown_fields=True):
    """A staff edit; lists replace the subscriber's lists when given."""

    name: PersonName | UnsetType = UNSET
    organisation: Organisation | UnsetType = UNSET
    lang: Lang | UnsetType = UNSET
    lists: SlugList | UnsetType = UNSET
    basis: Basis | UnsetType = UNSET


class MembershipOut(Struct):
    """A subscriber's place on one list."""

    list: str
    status: str
    subscribed_at: datetime | None
    unsubscribed_at: datetime | None


class SubscriberOut(Struct):
    """A subscriber as admins see them."""

    id: UUID
    email: str | None
    name: str
    organisation: str
    lang: str
    status: str
    basis: str
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    erased_at: datetime | None
    lists: list[MembershipOut]


class SubscriberPage(Struct):
    """One page of a subscriber search."""

    items: list[SubscriberOut]
    next_cursor: str | None
