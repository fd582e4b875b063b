"""Which feeds exist, where they live and what they are called in each language."""

from dataclasses import dataclass
from typing import Final, Literal

from content.institution import COMMISSION, SECRETARIAT
from content.kinds import KINDS
from content.languages import LANGUAGES

FeedFormat = Literal["rss", "atom", "json", "ics"]
FEED_FORMATS: Final[tuple[FeedFormat, ...]] = ("rss", "atom", "json")
ALL: Final = "all"
NEWSLETTERS: Final = "newsletters"

SITE_NAME: Final[dict[str, str]] = COMMISSION
SCOPE_NAMES: Final[dict[str, dict[str, str]]] = {
    "news": {"ka": "სიახლეები", "en": "News"},
    "events": {"ka": "ღონისძიებები", "en": "Events"},
    "announcements": {"ka": "განცხადებები და კონკურსები", "en": "Announcements and calls"},
    "materials": {"ka": "მედიამასალები", "en": "Media materials"},
    ALL: {"ka": "ყველა პუბლიკაცია", "en": "Everything published"},
    NEWSLETTERS: {"ka": "საინფორმაციო ბიულეტენების არქივი", "en": "Newsletter archive"},
}
CALENDAR_NAME: Final[dict[str, str]] = {"ka": "ღონისძიებების კალენდარი", "en": "Calendar of events"}
TOPIC_WORD: Final[dict[str, str]] = {"ka": "თემა", "en": "Topic"}
DESCRIPTION: Final[dict[str, str]] = {
    "ka": "{scope} — " + SECRETARIAT["ka"] + "ს არხი.",
    "en": "{scope} from the " + SECRETARIAT["en"] + ".",
}


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed: language, scope (a kind, `all`, a topic, or the newsletters) and format."""

    lang: str
    format: FeedFormat
    kind: str | None = None
    topic: str | None = None

    @property
    def path(self) -> str:
        """The feed's route, e.g. `/feeds/ka/news.rss` or `/feeds/en/topics/emigration.atom`."""
        if self.topic is not None:
            return f"/feeds/{self.lang}/topics/{self.topic}.{self.format}"
        return f"/feeds/{self.lang}/{self.kind}.{self.format}"

    def with_lang(self, lang: str) -> "FeedSpec":
        """The same feed in another language."""
        return FeedSpec(lang=lang, format=self.format, kind=self.kind, topic=self.topic)


def scope_name(spec: FeedSpec, lang: str, topic_names: dict[str, str] | None = None) -> str:
    """What the feed holds, named in `lang`."""
    if spec.topic is not None:
        name = (topic_names or {}).get(lang) or spec.topic
        return f"{TOPIC_WORD[lang]}: {name}"
    if spec.format == "ics":
        return CALENDAR_NAME[lang]
    return SCOPE_NAMES[spec.kind or ALL][lang]


def feed_title(spec: FeedSpec, lang: str, topic_names: dict[str, str] | None = None) -> str:
    """The feed's title in `lang`, e.g. `News — State Commission on Migration Issues`."""
    return f"{scope_name(spec, lang, topic_names)} — {SITE_NAME[lang]}"


def feed_description(spec: FeedSpec, lang: str, topic_names: dict[str, str] | None = None) -> str:
    """One sentence on what the feed holds, in `lang`."""
    return DESCRIPTION[lang].format(scope=scope_name(spec, lang, topic_names))


def parse_feed_name(lang: str, name: str) -> FeedSpec | None:
    """The feed a file name under `/feeds/{lang}/` names, or None: `news.rss`, `events.ics`, ..."""
    if lang not in LANGUAGES:
        return None
    scope, _, extension = name.rpartition(".")
    if scope == "events" and extension == "ics":
        return FeedSpec(lang=lang, format="ics", kind="events")
    if scope == NEWSLETTERS:
        return FeedSpec(lang=lang, format="rss", kind=NEWSLETTERS) if extension == "rss" else None
    if extension in FEED_FORMATS and (scope in KINDS or scope == ALL):
        return FeedSpec(lang=lang, format=extension, kind=scope)
    return None


def parse_topic_feed_name(lang: str, name: str) -> FeedSpec | None:
    """The topic feed `/feeds/{lang}/topics/{name}` names, or None (the topic may still not exist)."""
    if lang not in LANGUAGES:
        return None
    topic, _, extension = name.rpartition(".")
    if not topic or extension not in FEED_FORMATS:
        return None
    return FeedSpec(lang=lang, format=extension, topic=topic)


def every_feed(topic_slugs: list[str]) -> list[FeedSpec]:
    """Every feed there is, per language: kinds and `all` in each format, topics, calendar, newsletters."""
    specs: list[FeedSpec] = []
    for lang in LANGUAGES:
        for scope in (*KINDS, ALL):
            specs.extend(FeedSpec(lang=lang, format=fmt, kind=scope) for fmt in FEED_FORMATS)
        specs.append(FeedSpec(lang=lang, format="ics", kind="events"))
        specs.append(FeedSpec(lang=lang, format="rss", kind=NEWSLETTERS))
        for slug in topic_slugs:
            specs.extend(FeedSpec(lang=lang, format=fmt, topic=slug) for fmt in FEED_FORMATS)
    return specs
