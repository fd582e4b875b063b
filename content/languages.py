"""The languages content is written in, and how a request picks one."""

from typing import Final, Literal, get_args

Lang = Literal["ka", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = get_args(Lang)
DEFAULT_LANG: Final[Lang] = "ka"


def negotiate_language(explicit: str | None, accept_language: str | None) -> Lang:
    """Pick the language of a public read: `?lang=` first, then Accept-Language, then Georgian."""
    if explicit in LANGUAGES:
        return explicit  # type: ignore[return-value,unused-ignore]
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for position, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            params = params.strip()
            if params.startswith("q="):
                try:
                    quality = float(params[2:])
                except ValueError:
                    quality = 0.0
            ranked.append((-quality, position, tag.strip().lower()[:2]))
        for negative_quality, _, primary in sorted(ranked):
            if negative_quality < 0 and primary in LANGUAGES:
                return primary  # type: ignore[return-value,unused-ignore]
    return DEFAULT_LANG
