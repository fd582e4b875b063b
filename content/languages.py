"""The languages content is written in, and how a request picks one."""

from typing import Final, Literal, get_args

Lang = Literal["ka", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = get_args(Lang)
DEFAULT_LANG: Final[Lang] = "ka"
# Each language's name in itself, as a link to switch to it reads.
LANGUAGE_NAMES: Final[dict[str, str]] = {"ka": "ქართული", "en": "English"}
# The default first: a wildcard (`*`) that leaves the choice to us gets Georgian.
_BY_PREFERENCE: Final[tuple[Lang, ...]] = (
    DEFAULT_LANG,
    *(other for other in LANGUAGES if other != DEFAULT_LANG),
)


def primary_subtag(tag: str) -> str:
    """A language tag's primary subtag in lower case: `ka-GE` is `ka`, `EN` is `en`, `kab` stays `kab`."""
    # `_` is not BCP 47, but locale names (`en_US`) turn up in hand-written headers.
    return tag.strip().replace("_", "-").partition("-")[0].lower()


def _quality(params: str) -> float:
    """The q-value among a range's parameters (1 when absent, 0 when unreadable)."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def negotiate_language(explicit: str | None, accept_language: str | None) -> Lang:
    """Pick the language of a public read: `?lang=` first, then Accept-Language, then Georgian."""
    if explicit in LANGUAGES:
        return explicit  # type: ignore[return-value,unused-ignore]
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        named: set[str] = set()  # the languages a range names, whatever its q: `*` stands for the others
        for position, part in enumerate(accept_language.split(",")):
            tag, _, params = part.partition(";")
            primary = primary_subtag(tag)
            if primary != "*":
                named.add(primary)
            quality = _quality(params)
            if quality > 0:  # q=0 means "not this one"
                ranked.append((-quality, position, primary))
        for _, _, primary in sorted(ranked):
            if primary in LANGUAGES:
                return primary  # type: ignore[return-value,unused-ignore]
            if primary == "*":
                for lang in _BY_PREFERENCE:
                    if lang not in named:
                        return lang
    return DEFAULT_LANG
