"""The four kinds of entry and the fields that belong to each."""

from typing import Final, Literal, get_args

Kind = Literal["news", "events", "announcements", "materials"]
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)

MaterialType = Literal[
    "publication", "report", "press_release", "photo_set", "video", "press_kit", "strategy", "guide", "other"
]
MATERIAL_TYPES: Final[tuple[str, ...]] = get_args(MaterialType)

# Fields stored on the entry (not per language) that only some kinds may carry.
KIND_FIELDS: Final[dict[str, frozenset[str]]] = {
    "news": frozenset(),
    "events": frozenset(
        {"starts_at", "ends_at", "timezone", "online_url", "registration_url", "cancelled", "registration"}
    ),
    "announcements": frozenset({"deadline", "external_url"}),
    "materials": frozenset({"material_type"}),
}

# Per-language fields that only some kinds may carry.
KIND_TRANSLATION_FIELDS: Final[dict[str, frozenset[str]]] = {
    "news": frozenset(),
    "events": frozenset({"location"}),
    "announcements": frozenset(),
    "materials": frozenset(),
}

DEFAULT_TIMEZONE: Final = "Asia/Tbilisi"
