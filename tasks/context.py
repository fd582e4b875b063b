"""What every job receives: the settings it may read, and what the worker built from them once at start-up."""

from datetime import timedelta
from pathlib import Path
from typing import Protocol, TypedDict

from arq.connections import ArqRedis

from content.media.limits import MediaLimits
from content.media.storage import MediaStorage, StorageConfig, open_storage
from newsletters.bounces.verp import ReturnPaths
from newsletters.campaigns.config import SendingConfig
from newsletters.campaigns.pacing import NoLimit, RateLimiter, shared_pace
from newsletters.dkim_signing import DkimKey
from newsletters.mail.transport import MailRoute, mail_route
from registrations import event_mail

SMTP_TIMEOUT = 30.0  # seconds one SMTP command may take; a batch also keeps this much of its lease in hand


class JobSettings(Protocol):
    """The settings jobs read (service.settings.Settings is one; tasks never imports it)."""

    @property
    def secret_key(self) -> str: ...
    @property
    def imports_dir(self) -> Path: ...
    @property
    def public_url(self) -> str: ...
    @property
    def mail_from(self) -> str: ...
    @property
    def smtp_url(self) -> str | None: ...
    @property
    def outbox_dir(self) -> Path: ...
    @property
    def smtp_rate(self) -> float: ...
    @property
    def smtp_connections(self) -> int: ...
    @property
    def campaign_batch_size(self) -> int: ...
    @property
    def campaign_lease_seconds(self) -> int: ...
    @property
    def campaign_retry_seconds(self) -> tuple[int, ...]: ...
    @property
    def campaign_reconcile_seconds(self) -> int: ...
    @property
    def dkim_domain(self) -> str: ...
    @property
    def dkim_selector(self) -> str: ...
    @property
    def dkim_private_key_file(self) -> str: ...
    @property
    def digest_lists(self) -> tuple[str, ...]: ...
    @property
    def bounce_domain(self) -> str: ...
    @property
    def bounce_mailbox_url(self) -> str: ...
    @property
    def bounce_soft_limit(self) -> int: ...
    @property
    def media_storage(self) -> StorageConfig: ...
    @property
    def media_limits(self) -> MediaLimits: ...
    @property
    def webhook_timeout_seconds(self) -> float: ...
    @property
    def webhook_private_allowed(self) -> bool: ...
    @property
    def webhook_retry_seconds(self) -> tuple[float, ...]: ...
    @property
    def registration_reminder_hours(self) -> int: ...
    @property
    def registration_retention_days(self) -> int: ...


class JobContext(TypedDict):
    """A job's `ctx`: arq adds `job_id`, `job_try` and the like, which jobs do not read."""

    settings: JobSettings
    redis: ArqRedis  # the queue: jobs enqueue their follow-ups on it, and it holds heartbeats and the pace
    mail: MailRoute  # how mail leaves: every job that mails opens its own transport from it
    sending: SendingConfig
    pace: RateLimiter
    media_storage: MediaStorage


def dkim_key(settings: JobSettings) -> DkimKey | None:
    """The DKIM key, read from its file, when one is configured."""
    if not (settings.dkim_private_key_file and settings.dkim_domain):
        return None
    return DkimKey(
        domain=settings.dkim_domain,
        selector=settings.dkim_selector,
        private_key_pem=Path(settings.dkim_private_key_file).read_bytes(),
    )


def sending_config(settings: JobSettings) -> SendingConfig:
    """The campaign engine's configuration (the DKIM key file is read here)."""
    return SendingConfig(
        public_url=settings.public_url,
        batch_size=settings.campaign_batch_size,
        lease=timedelta(seconds=settings.campaign_lease_seconds),
        dkim=dkim_key(settings),
        timeout=SMTP_TIMEOUT,
        backoff=tuple(timedelta(seconds=step) for step in settings.campaign_retry_seconds),
        connections=settings.smtp_connections,
        return_paths=return_paths(settings),
        audiences=dict(event_mail.AUDIENCES),
    )


def return_paths(settings: JobSettings) -> ReturnPaths:
    """VERP envelope senders under BOUNCE_DOMAIN (none when it is unset)."""
    return ReturnPaths(secret_key=settings.secret_key, domain=settings.bounce_domain)


def job_context(
    settings: JobSettings, redis: ArqRedis, media_storage: MediaStorage | None = None
) -> JobContext:
    """Everything jobs share, built once: at worker start-up, or by a test or benchmark calling a job."""
    route = mail_route(settings.smtp_url, settings.outbox_dir, timeout=SMTP_TIMEOUT)
    smtp = route.smtp
    # The outbox needs no pacing: SMTP_RATE paces one SMTP server.
    pace = shared_pace(redis, smtp.host, smtp.port, settings.smtp_rate) if smtp is not None else NoLimit()
    return JobContext(
        settings=settings,
        redis=redis,
        mail=route,
        sending=sending_config(settings),
        pace=pace,
        media_storage=media_storage if media_storage is not None else open_storage(settings.media_storage),
    )
