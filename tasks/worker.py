"""The worker: which jobs exist, when cron runs them, and how a worker is built."""

from collections.abc import Callable, Coroutine
from typing import Any, Final

from arq import cron
from arq.connections import ArqRedis
from arq.cron import CronJob
from arq.typing import StartupShutdown
from arq.worker import Function, Worker, func

from content.media.storage import MediaStorage
from tasks import enqueue
from tasks.bounces import read_bounce_mailbox
from tasks.campaigns import (
    reconcile_campaigns,
    send_campaign_batch,
    send_campaign_test,
    start_campaign,
    weekly_digest,
)
from tasks.context import JobSettings, job_context
from tasks.imports import import_subscribers
from tasks.media import make_renditions
from tasks.metrics import measured
from tasks.press_mail import send_press_access_mail, sweep_press_mails
from tasks.publishing import publish_due
from tasks.registrations import send_registration_mails, sweep_registrations
from tasks.review_mail import send_review_mail
from tasks.subscriptions import send_confirmation_mail
from tasks.webhooks import deliver_webhook, sweep_webhooks

# Every job under the name tasks/enqueue.py queues it by.
JOBS: Final[dict[str, Callable[..., Coroutine[Any, Any, Any]]]] = {
    enqueue.PUBLISH_DUE: publish_due,
    enqueue.MAKE_RENDITIONS: make_renditions,
    enqueue.SEND_CONFIRMATION_MAIL: send_confirmation_mail,
    enqueue.START_CAMPAIGN: start_campaign,
    enqueue.SEND_CAMPAIGN_BATCH: send_campaign_batch,
    enqueue.SEND_CAMPAIGN_TEST: send_campaign_test,
    enqueue.RECONCILE_CAMPAIGNS: reconcile_campaigns,
    enqueue.WEEKLY_DIGEST: weekly_digest,
    enqueue.DELIVER_WEBHOOK: deliver_webhook,
    enqueue.SWEEP_WEBHOOKS: sweep_webhooks,
    enqueue.READ_BOUNCE_MAILBOX: read_bounce_mailbox,
    enqueue.SEND_REVIEW_MAIL: send_review_mail,
    enqueue.SEND_PRESS_ACCESS_MAIL: send_press_access_mail,
    enqueue.SWEEP_PRESS_MAILS: sweep_press_mails,
    enqueue.IMPORT_SUBSCRIBERS: import_subscribers,
    enqueue.SEND_REGISTRATION_MAILS: send_registration_mails,
    enqueue.SWEEP_REGISTRATIONS: sweep_registrations,
}


def _measured(name: str) -> Callable[..., Coroutine[Any, Any, Any]]:
    """The job of that name, counted and logged under it."""
    return measured(JOBS[name], name)


# Jobs that may take longer than the worker's five minutes: a large import reads 256 MB of CSV.
TIMEOUTS: Final[dict[str, int]] = {enqueue.IMPORT_SUBSCRIBERS: 3600}
FUNCTIONS: Final[list[Function]] = [
    func(_measured(name), name=name, timeout=TIMEOUTS.get(name)) for name in JOBS
]


def cron_jobs(reconcile_seconds: int = 30) -> list[CronJob]:
    """The periodic jobs, the reconciler every `reconcile_seconds` (1 to 60; CAMPAIGN_RECONCILE_SECONDS)."""
    if not 1 <= reconcile_seconds <= 60:
        raise ValueError("CAMPAIGN_RECONCILE_SECONDS must be between 1 and 60")
    return [
        # Every 15 s: an entry scheduled for T is public well within a minute of T.
        cron(
            _measured(enqueue.PUBLISH_DUE),
            name="cron:publish_due",
            second={0, 15, 30, 45},
            run_at_startup=True,
            timeout=60,
        ),
        # Every 30 s by default: due campaigns start, and a sending campaign whose jobs Redis lost (or a
        # dead worker held) carries on.
        cron(
            _measured(enqueue.RECONCILE_CAMPAIGNS),
            name="cron:reconcile_campaigns",
            second=set(range(5 % reconcile_seconds, 60, reconcile_seconds)),
            run_at_startup=True,
            timeout=120,
        ),
        # Every 5 s: webhooks owed (a publish, a retry come due, an embargo lifting) go out, from the
        # database's ledger, so a flushed Redis or a killed worker loses none.
        cron(
            _measured(enqueue.SWEEP_WEBHOOKS),
            name="cron:sweep_webhooks",
            second=set(range(0, 60, 5)),
            run_at_startup=True,
            timeout=60,
        ),
        # Every minute: delivery and complaint reports in BOUNCE_MAILBOX_URL (nothing when it is unset).
        cron(
            _measured(enqueue.READ_BOUNCE_MAILBOX),
            name="cron:read_bounce_mailbox",
            second=50,
            run_at_startup=True,
            timeout=240,
        ),
        # Every minute: press mails a lost job or a failing SMTP server left owed go out again.
        cron(
            _measured(enqueue.SWEEP_PRESS_MAILS),
            name="cron:sweep_press_mails",
            second=20,
            run_at_startup=True,
            timeout=60,
        ),
        # Every minute: reminders due, change mails of events, expired registrations' personal data.
        cron(
            _measured(enqueue.SWEEP_REGISTRATIONS),
            name="cron:sweep_registrations",
            second=40,
            run_at_startup=True,
            timeout=240,
        ),
        # Mondays 06:00 UTC (10:00 in Tbilisi): a draft digest of the week, when DIGEST_LISTS is set.
        cron(
            _measured(enqueue.WEEKLY_DIGEST),
            name="cron:weekly_digest",
            weekday=0,
            hour=6,
            minute=0,
            second=0,
            timeout=120,
        ),
    ]


# One list per period for the process: arq keeps each cron job's next run on the job itself, so
# workers of one process share it (as they always did) and a new process starts afresh.
CRON_JOBS: Final[list[CronJob]] = cron_jobs()
_CRON_BY_PERIOD: Final[dict[int, list[CronJob]]] = {30: CRON_JOBS}


def _cron_for(period: int) -> list[CronJob]:
    if period not in _CRON_BY_PERIOD:
        _CRON_BY_PERIOD[period] = cron_jobs(period)
    return _CRON_BY_PERIOD[period]


def build_worker(
    pool: ArqRedis,
    settings: JobSettings,
    *,
    media_storage: MediaStorage | None = None,
    burst: bool = False,
    with_cron: bool = True,
    handle_signals: bool = True,
    completion_wait: int = 0,
    on_startup: StartupShutdown | None = None,
    on_shutdown: StartupShutdown | None = None,
) -> Worker:
    """A worker on `pool` whose jobs see `settings` and what start-up builds from them (tasks.context).

    The mail route, the campaign configuration (the DKIM key file read) and the pace are built once,
    when the worker starts, not per job; `media_storage` is the app's when the worker runs inside it.
    """

    async def startup(ctx: dict[Any, Any]) -> None:
        ctx.update(job_context(settings, ctx["redis"], media_storage))
        if on_startup is not None:
            await on_startup(ctx)

    return Worker(
        functions=FUNCTIONS,
        cron_jobs=_cron_for(settings.campaign_reconcile_seconds) if with_cron else [],
        redis_pool=pool,
        queue_name=pool.default_queue_name,
        ctx={"settings": settings},
        burst=burst,
        handle_signals=handle_signals,
        # On SIGTERM/SIGINT: take no new job, let running ones finish for this long, then stop.
        job_completion_wait=completion_wait,
        on_startup=startup,
        on_shutdown=on_shutdown,
        poll_delay=0.2,
        max_jobs=10,
        job_timeout=300,
        keep_result=3600,
    )
