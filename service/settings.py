"""The one settings object, read from the environment once at start-up and passed down."""

import math
import os
from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, cast

from content.feeds.links import DEFAULT_TEMPLATE, check_template
from content.kinds import KINDS
from content.media.limits import MediaLimits
from content.media.storage import StorageConfig
from newsletters.bounces.mailbox import parse_mailbox_url
from newsletters.bounces.sns import SnsTrust
from service.client_address import Networks, parse_networks

DEFAULT_SECRET_KEY: Final = "insecure-development-key-change-me"  # noqa: S105 (refused in production)
MIN_PRODUCTION_KEY_LENGTH: Final = 32
# Settings that hold a secret: each may instead be read from the file `NAME_FILE` names (Docker secrets).
SECRET_SETTINGS: Final = (
    "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SMTP_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY",
    "METRICS_TOKEN", "BOUNCE_MAILBOX_URL", "BOUNCE_WEBHOOK_TOKEN", "BOUNCE_MAILGUN_SIGNING_KEY",
)  # fmt: skip


DEFAULT_WEBHOOK_RETRIES: Final = "5,300,1800,7200,18000,36000,36000"


class SettingsError(ValueError):
    """A setting that cannot work: its message is the one line the command line prints."""


def checked_preview_template(template: str) -> str:
    """WEBSITE_PREVIEW_URL_TEMPLATE: empty, or an http(s) address with one `{token}` in it."""
    if not template:
        return ""
    if not template.startswith(("https://", "http://")) or template.count("{token}") != 1:
        raise SettingsError(
            "WEBSITE_PREVIEW_URL_TEMPLATE must be an http(s) address with {token} in it once, "
            f"for example https://site.ge/preview?token={{token}}, not {template[:200]!r}"
        )
    return template


def _positive_int(name: str, value: str | None, default: int) -> int:
    """A whole number of at least 1 from the environment, or the default when unset."""
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {value!r}")
    return number


def messages_per_second(name: str, value: str) -> float:
    """A pace from the environment: 0 for none, else a positive number (0.5 is one message every 2 s)."""
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not math.isfinite(rate) or rate < 0:
        raise SettingsError(
            f"{name} must be a number of messages a second, 0 for no limit or above 0 "
            f"(0.5 is one message every 2 s), not {value!r}"
        )
    return rate


def with_secret_files(env: Mapping[str, str]) -> Mapping[str, str]:
    """`env` with each secret setting given as `NAME_FILE` read from its file (one trailing newline cut)."""
    from_files: dict[str, str] = {}
    for name in SECRET_SETTINGS:
        path = env.get(f"{name}_FILE")
        if not path:
            continue
        if env.get(name):
            raise SettingsError(f"{name} and {name}_FILE are both set: set only one of them")
        try:
            value = Path(path).read_text("utf-8").removesuffix("\n").removesuffix("\r")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            raise SettingsError(f"{name}_FILE names {path}, which cannot be read: {reason}") from None
        if not value.strip():
            raise SettingsError(f"{name}_FILE names {path}, which is empty")
        from_files[name] = value
    # Read through, not copied: from_env asks for each variable by name (the configuration test counts).
    return ChainMap(from_files, cast(MutableMapping[str, str], env)) if from_files else env


def checked_mailbox_url(url: str) -> str:
    """BOUNCE_MAILBOX_URL as given when it can be read (empty: no mailbox), else the one-line error."""
    if url:
        try:
            parse_mailbox_url(url)
        except ValueError as error:
            raise SettingsError(str(error)) from None
    return url


def positive(name: str, value: str) -> int:
    """A whole number of at least 1, or the one-line error."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {value!r}")
    return number


def trusted_proxies(text: str) -> Networks:
    """TRUSTED_PROXIES as networks, or the one-line error the command line prints."""
    try:
        return parse_networks(text)
    except ValueError as error:
        raise SettingsError(str(error)) from None


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service, the worker and the command line are configured by."""

    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "SCMI Secretariat <newsroom@localhost>"
    public_url: str = "http://127.0.0.1:8000"
    # Whether PUBLIC_URL was set; if not, `scmi run` and `serve` make links to their own --host and --port.
    public_url_given: bool = False
    secret_key: str = DEFAULT_SECRET_KEY
    environment: str = "development"
    max_request_body: int = 2 * 1024 * 1024
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # Proxies whose X-Forwarded-For / Forwarded headers are believed (none: the TCP peer is the client).
    trusted_proxies: Networks = field(default_factory=tuple)
    # Needed to read /metrics when set, and in production (where /metrics is otherwise not served).
    metrics_token: str = ""
    log_sql: bool = False
    log_level: str = "INFO"
    worker_metrics_port: int = 9101
    worker_shutdown_grace: float = 60.0  # seconds running jobs get to finish on SIGTERM
    # Media library: where files live (empty: DATA_DIR/media; s3://bucket/prefix: object storage).
    media_store_url: str = ""
    s3_endpoint: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    media_max_upload: int = 50 * 1024 * 1024
    media_max_pixels: int = 50_000_000
    media_rendition_widths: tuple[int, ...] = (320, 960, 1920)
    # Feeds: the website's address (default: public_url), its entry pages per kind and language
    # (placeholders {website_url} {public_url} {lang} {kind} {slug} {id}; WEBSITE_URL_TEMPLATE_NEWS etc.
    # override one kind), the logo, items per feed, and how often a process rechecks for changes.
    website_url: str = ""
    website_url_template: str = DEFAULT_TEMPLATE
    website_url_templates: Mapping[str, str] = field(default_factory=dict)
    feed_logo_url: str = ""
    mail_logo_url: str = ""
    feed_items: int = 50
    feed_recheck_seconds: float = 2.0
    feed_cache_prefix: str = "scmi:feeds:"
    # Memory each API process may give to encoded answers (two thirds) and rendered feeds (one third);
    # the least recently used go first when it is full.
    cache_memory_mb: int = 96
    subscribe_limit_per_ip: int = 10
    subscribe_limit_window: int = 3600
    # The sign-up page's form is refused when sent back sooner than this after it was served (bots).
    signup_min_seconds: float = 3.0
    # The other public writes (unsubscribe, preferences): generous, as mail providers' one-click
    # unsubscribes arrive from few addresses.
    public_post_limit_per_ip: int = 60
    public_post_limit_window: int = 60
    # Event registration: the reminder this many hours before an event; personal data erased this
    # many days after it ends; the list accredited journalists join.
    registration_reminder_hours: int = 24
    registration_retention_days: int = 90
    registration_press_list: str = "press"
    # Campaigns: messages a second to the SMTP server, shared by all workers (0: no limit); parallel
    # connections; rows a batch claims; how long a claim lasts before another worker may take it over.
    smtp_rate: float = 0.0
    smtp_connections: int = 2
    campaign_batch_size: int = 200
    campaign_lease_seconds: int = 300
    # Waits before each retry of a deferred delivery (the last repeats); how often the reconciler runs.
    campaign_retry_seconds: tuple[int, ...] = (60, 300, 1800, 7200)
    campaign_reconcile_seconds: int = 30
    dkim_domain: str = ""
    dkim_selector: str = "scmi"
    dkim_private_key_file: str = ""
    # Lists the weekly digest draft goes to (empty: no weekly digest).
    digest_lists: tuple[str, ...] = field(default_factory=tuple)
    # Bounces: VERP return paths bounces+{token}@BOUNCE_DOMAIN, the IMAP mailbox the worker reads
    # reports from, the generic webhook's bearer token, and soft bounces (in 30 days) that make a bounce.
    bounce_domain: str = ""
    bounce_mailbox_url: str = ""
    bounce_webhook_token: str = ""
    bounce_soft_limit: int = 3
    # Provider webhooks (POST /hooks/{provider}): the SNS topics whose SES notifications we take, and
    # Mailgun's webhook signing key; each provider is off (404) until set.
    bounce_sns_topic_arns: tuple[str, ...] = field(default_factory=tuple)
    bounce_mailgun_signing_key: str = ""
    # Where SNS signing certificates and subscription links may come from: not read from the
    # environment, so production always insists on https to Amazon's SNS hosts (tests inject theirs).
    sns_trust: SnsTrust = field(default_factory=SnsTrust)
    console_idle_minutes: int = 60  # a console session left alone this long ends
    console_session_hours: int = 12  # and every session ends this long after sign-in
    # Webhooks: how long the website's endpoint has to answer; waits before each retry (then failed);
    # whether private, loopback and link-local targets are allowed in production (they always are
    # outside it, where the website usually runs on the same machine).
    webhook_timeout_seconds: float = 5.0
    webhook_retry_seconds: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
    webhook_allow_private: bool = False
    # Where a preview link leads: the website's preview page ({token} is replaced); empty: the API's
    # own /api/v1/preview/{token}.
    website_preview_url_template: str = ""
    # Addresses one sitemap file holds before /sitemap.xml becomes an index (the protocol's 50,000;
    # tests make it small).
    sitemap_max_urls: int = 50_000

    @property
    def answer_cache_bytes(self) -> int:
        """The byte budget of this process's public answers (two thirds of CACHE_MEMORY_MB)."""
        return self.cache_memory_mb * (1 << 20) * 2 // 3

    @property
    def feed_cache_bytes(self) -> int:
        """The byte budget of this process's rendered feeds (the other third)."""
        return self.cache_memory_mb * (1 << 20) // 3

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'scmi.sqlite3'}"

    @property
    def outbox_dir(self) -> Path:
        """Where mail goes as .eml files when no SMTP server is configured."""
        return self.data_dir / "outbox"

    @property
    def imports_dir(self) -> Path:
        """Where an uploaded subscriber CSV waits for the worker (deleted once imported)."""
        return self.data_dir / "imports"

    @property
    def embedded_queue(self) -> bool:
        """Whether jobs run on the in-process Redis stand-in (no REDIS_URL)."""
        return not self.redis_url

    @property
    def media_storage(self) -> StorageConfig:
        """Where the media library keeps its files."""
        return StorageConfig(
            url=self.media_store_url,
            local_dir=self.data_dir / "media",
            s3_endpoint=self.s3_endpoint,
            s3_region=self.s3_region,
            s3_access_key_id=self.s3_access_key_id,
            s3_secret_access_key=self.s3_secret_access_key,
        )

    @property
    def media_limits(self) -> MediaLimits:
        """How large an upload and an image may be, and which rendition widths to make."""
        return MediaLimits(
            max_upload=self.media_max_upload,
            max_pixels=self.media_max_pixels,
            rendition_widths=self.media_rendition_widths,
            scratch_dir=self.data_dir / "uploads",
        )

    @property
    def webhook_private_allowed(self) -> bool:
        """Whether webhooks may go to private, loopback and link-local addresses."""
        return self.webhook_allow_private or self.environment != "production"

    def preview_url(self, token: str) -> str:
        """The address a preview link leads to: the website's preview page, else the API's own."""
        template = self.website_preview_url_template or f"{self.public_url}/api/v1/preview/{{token}}"
        return template.replace("{token}", token)

    @property
    def resolved_website_url(self) -> str:
        """The public website that entry links point to (the API's own address unless set)."""
        return self.website_url or self.public_url

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from environment variables; unset ones keep their defaults."""
        env = with_secret_files(os.environ if env is None else env)
        defaults = cls()
        template = env.get("WEBSITE_URL_TEMPLATE") or defaults.website_url_template
        templates: dict[str, str] = {
            kind: env[f"WEBSITE_URL_TEMPLATE_{kind.upper()}"]
            for kind in KINDS
            if env.get(f"WEBSITE_URL_TEMPLATE_{kind.upper()}")
        }
        for each in (template, *templates.values()):
            check_template(each)
        origins = tuple(o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            data_dir=Path(env.get("DATA_DIR") or defaults.data_dir),
            database_url=env.get("DATABASE_URL", ""),
            redis_url=env.get("REDIS_URL") or None,
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM") or defaults.mail_from,
            public_url=(env.get("PUBLIC_URL") or defaults.public_url).rstrip("/"),
            public_url_given=bool(env.get("PUBLIC_URL")),
            secret_key=env.get("SECRET_KEY") or defaults.secret_key,
            environment=env.get("SCMI_ENV") or defaults.environment,
            max_request_body=int(env.get("MAX_REQUEST_BODY") or defaults.max_request_body),
            cors_origins=origins,
            trusted_proxies=trusted_proxies(env.get("TRUSTED_PROXIES", "")),
            metrics_token=env.get("METRICS_TOKEN", ""),
            log_sql=env.get("LOG_SQL", "") in {"1", "true", "yes"},
            log_level=(env.get("LOG_LEVEL") or defaults.log_level).upper(),
            worker_metrics_port=int(env.get("WORKER_METRICS_PORT") or defaults.worker_metrics_port),
            worker_shutdown_grace=float(env.get("WORKER_SHUTDOWN_GRACE") or defaults.worker_shutdown_grace),
            media_store_url=env.get("MEDIA_STORE_URL", ""),
            s3_endpoint=env.get("S3_ENDPOINT") or None,
            s3_region=env.get("S3_REGION") or None,
            s3_access_key_id=env.get("S3_ACCESS_KEY_ID") or None,
            s3_secret_access_key=env.get("S3_SECRET_ACCESS_KEY") or None,
            media_max_upload=int(env.get("MEDIA_MAX_UPLOAD") or defaults.media_max_upload),
            media_max_pixels=int(env.get("MEDIA_MAX_PIXELS") or defaults.media_max_pixels),
            media_rendition_widths=tuple(
                int(width) for width in (env.get("MEDIA_RENDITION_WIDTHS") or "320,960,1920").split(",")
            ),
            website_url=(env.get("WEBSITE_URL") or "").rstrip("/"),
            website_url_template=template,
            website_url_templates=templates,
            feed_logo_url=env.get("FEED_LOGO_URL") or "",
            mail_logo_url=env.get("MAIL_LOGO_URL") or "",
            feed_items=int(env.get("FEED_ITEMS") or defaults.feed_items),
            feed_recheck_seconds=float(env.get("FEED_RECHECK_SECONDS") or defaults.feed_recheck_seconds),
            feed_cache_prefix=env.get("FEED_CACHE_PREFIX") or defaults.feed_cache_prefix,
            cache_memory_mb=positive(
                "CACHE_MEMORY_MB", env.get("CACHE_MEMORY_MB") or str(defaults.cache_memory_mb)
            ),
            subscribe_limit_per_ip=int(env.get("SUBSCRIBE_LIMIT_PER_IP") or defaults.subscribe_limit_per_ip),
            subscribe_limit_window=int(env.get("SUBSCRIBE_LIMIT_WINDOW") or defaults.subscribe_limit_window),
            signup_min_seconds=float(env.get("SIGNUP_MIN_SECONDS") or defaults.signup_min_seconds),
            registration_reminder_hours=_positive_int(
                "REGISTRATION_REMINDER_HOURS", env.get("REGISTRATION_REMINDER_HOURS"), 24
            ),
            registration_retention_days=_positive_int(
                "REGISTRATION_RETENTION_DAYS", env.get("REGISTRATION_RETENTION_DAYS"), 90
            ),
            registration_press_list=env.get("REGISTRATION_PRESS_LIST") or defaults.registration_press_list,
            public_post_limit_per_ip=int(
                env.get("PUBLIC_POST_LIMIT_PER_IP") or defaults.public_post_limit_per_ip
            ),
            public_post_limit_window=int(
                env.get("PUBLIC_POST_LIMIT_WINDOW") or defaults.public_post_limit_window
            ),
            smtp_rate=messages_per_second("SMTP_RATE", env.get("SMTP_RATE") or str(defaults.smtp_rate)),
            smtp_connections=int(env.get("SMTP_CONNECTIONS") or defaults.smtp_connections),
            campaign_batch_size=int(env.get("CAMPAIGN_BATCH_SIZE") or defaults.campaign_batch_size),
            campaign_lease_seconds=int(env.get("CAMPAIGN_LEASE_SECONDS") or defaults.campaign_lease_seconds),
            campaign_retry_seconds=tuple(
                int(step) for step in (env.get("CAMPAIGN_RETRY_SECONDS") or "60,300,1800,7200").split(",")
            ),
            campaign_reconcile_seconds=int(
                env.get("CAMPAIGN_RECONCILE_SECONDS") or defaults.campaign_reconcile_seconds
            ),
            dkim_domain=env.get("DKIM_DOMAIN") or "",
            dkim_selector=env.get("DKIM_SELECTOR") or defaults.dkim_selector,
            dkim_private_key_file=env.get("DKIM_PRIVATE_KEY_FILE") or "",
            digest_lists=tuple(s.strip() for s in env.get("DIGEST_LISTS", "").split(",") if s.strip()),
            bounce_domain=(env.get("BOUNCE_DOMAIN") or "").strip().lower(),
            bounce_mailbox_url=checked_mailbox_url(env.get("BOUNCE_MAILBOX_URL") or ""),
            bounce_webhook_token=env.get("BOUNCE_WEBHOOK_TOKEN") or "",
            bounce_soft_limit=positive("BOUNCE_SOFT_LIMIT", env.get("BOUNCE_SOFT_LIMIT") or "3"),
            bounce_sns_topic_arns=tuple(
                arn.strip() for arn in env.get("BOUNCE_SNS_TOPIC_ARNS", "").split(",") if arn.strip()
            ),
            bounce_mailgun_signing_key=(env.get("BOUNCE_MAILGUN_SIGNING_KEY") or "").strip(),
            console_idle_minutes=int(env.get("CONSOLE_IDLE_MINUTES") or defaults.console_idle_minutes),
            console_session_hours=int(env.get("CONSOLE_SESSION_HOURS") or defaults.console_session_hours),
            webhook_timeout_seconds=float(
                env.get("WEBHOOK_TIMEOUT_SECONDS") or defaults.webhook_timeout_seconds
            ),
            webhook_retry_seconds=tuple(
                float(step)
                for step in (env.get("WEBHOOK_RETRY_SECONDS") or DEFAULT_WEBHOOK_RETRIES).split(",")
            ),
            webhook_allow_private=env.get("WEBHOOK_ALLOW_PRIVATE", "") in {"1", "true", "yes"},
            website_preview_url_template=checked_preview_template(
                env.get("WEBSITE_PREVIEW_URL_TEMPLATE") or ""
            ),
        )

    def served_at(self, host: str, port: int) -> "Settings":
        """These settings for a server on `host`:`port`: links follow it unless PUBLIC_URL was set."""
        if self.public_url_given:
            return self
        # A wildcard address is not one a browser can open: links name the loopback address then.
        shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(host, host)  # noqa: S104
        if ":" in shown and not shown.startswith("["):
            shown = f"[{shown}]"
        return replace(self, public_url=f"http://{shown}:{port}")

    def check_production(self) -> None:
        """Refuse to run in production with the development secret key, or one too short to be secret."""
        if self.environment != "production":
            return
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < MIN_PRODUCTION_KEY_LENGTH:
            raise RuntimeError(
                "SECRET_KEY must be set to a secret of your own (at least "
                f"{MIN_PRODUCTION_KEY_LENGTH} characters) when SCMI_ENV=production; "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` makes one"
            )
