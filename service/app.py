"""The application factory: one Litestar app built from one settings object."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from typing import Final

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig

from accounts.revocations import listening_for_revocations
from content.institution import SECRETARIAT
from content.media.enclosures import cover_lookup
from content.media.storage import open_storage
from content.syndication import content_version, next_embargo_lift
from core.db import on_committed_write
from newsletters.bounces.sns import Certificates
from newsletters.public_archive import newest_send, newsletter_lookup
from service.answers import AnswerCache
from service.api_docs import LocalSwaggerUI, docs_asset
from service.auth import BearerTokenMiddleware
from service.cached_reads import serve_cached_reads
from service.client_address import ForwardedClient
from service.console import console_router
from service.console.page_memo import PageMemo
from service.content_watch import ContentWatch
from service.controllers.bounces import BounceWebhookController, CampaignBouncesController
from service.controllers.campaigns import CampaignController
from service.controllers.entries import ENTRY_CONTROLLERS
from service.controllers.feeds import FeedController, feed_index
from service.controllers.lists import ListController
from service.controllers.media import MediaController
from service.controllers.newsletter_archive import ArchiveController
from service.controllers.press_access import PRESS_ACCESS_CONTROLLERS
from service.controllers.press_pages import press_page
from service.controllers.previews import PREVIEW_LINK_CONTROLLERS, preview
from service.controllers.provider_hooks import provider_hook
from service.controllers.reading_pages import ReadingPagesController
from service.controllers.registration_pages import RegistrantPageController, RegistrationPagesController
from service.controllers.registrations import RegistrationApiController
from service.controllers.search import search
from service.controllers.signup_pages import SignUpPagesController
from service.controllers.sitemap import child_sitemap, sitemap
from service.controllers.staff import AuditController, MeController, StaffController
from service.controllers.subscribers import SubscriberController
from service.controllers.subscriptions import SubscriptionApiController, SubscriptionPagesController
from service.controllers.templates import TemplateController
from service.controllers.topics import TopicController
from service.controllers.webhooks import WebhookController
from service.database import bind_engine, close_engine, engine_from_url, prepare_engine
from service.errors import EXCEPTION_HANDLERS
from service.feeds.publisher import FeedPublisher
from service.health import healthz, readyz
from service.media_answers import MediaFiles
from service.metrics import RequestMetrics, metrics
from service.middleware import AuditMiddleware, RequestIdMiddleware
from service.openapi import document_problems
from service.security_headers import add_security_headers
from service.settings import Settings
from tasks.queue import connect_queue
from tasks.shutdown import stop_gracefully
from tasks.worker import build_worker

logger = logging.getLogger("scmi")

# How long a rendered console page is kept at most when nothing this process knows of changed.
CONSOLE_PAGE_SECONDS: Final = 10.0


def cors_config(origins: tuple[str, ...]) -> CORSConfig | None:
    """Browsers on these origins may call the API; staff send bearer tokens, never cookies, so
    credentials are not allowed (and so `*` can never be combined with them)."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Accept", "Accept-Language", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "ETag", "Last-Modified", "Content-Range"],
        allow_credentials=False,
        max_age=600,
    )


def create_app(settings: Settings, *, with_worker: bool = False) -> Litestar:
    """Build the app; `with_worker` also runs an arq worker inside this process (`scmi run`)."""
    settings.check_production()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = engine_from_url(settings.resolved_database_url, log_sql=settings.log_sql)
        bind_engine(engine)
        await prepare_engine(engine)
        queue = await connect_queue(settings.redis_url)
        app.state.queue = queue
        app.state.media_storage = open_storage(settings.media_storage)
        # One watch of the content version for feeds and public answers; this process's writes expire it.
        watch = ContentWatch(
            functools.partial(content_version, markers=(newest_send,)),
            next_embargo_lift,
            recheck_seconds=settings.feed_recheck_seconds,
        )
        stop_watching = on_committed_write(watch.expire)
        app.state.console_pages = PageMemo(watch, seconds=CONSOLE_PAGE_SECONDS)
        stop_remembering = on_committed_write(app.state.console_pages.forget)
        app.state.answers = AnswerCache(watch, settings.answer_cache_bytes)
        app.state.media_files = MediaFiles(watch)
        # Feed renders are shared through Redis when there is one; the in-process stand-in is not.
        app.state.feeds = FeedPublisher(
            settings,
            watch,
            redis=None if settings.embedded_queue else queue,
            covers=cover_lookup(settings.public_url),
            newsletters=newsletter_lookup(settings.public_url),
        )
        worker_task: asyncio.Task[None] | None = None
        worker = None
        if with_worker:
            worker = build_worker(
                queue, settings, media_storage=app.state.media_storage, handle_signals=False
            )
            worker_task = asyncio.create_task(worker.main(), name="arq-worker")
        try:
            # Sessions revoked by another process (a worker, `scmi staff`) count from the next request.
            async with listening_for_revocations(engine):
                yield
        finally:
            if worker is not None and worker_task is not None:
                await stop_gracefully(worker, settings.worker_shutdown_grace)
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
            stop_watching()
            stop_remembering()
            await queue.aclose()
            await close_engine(engine)

    app = Litestar(
        route_handlers=[
            *ENTRY_CONTROLLERS,
            *PREVIEW_LINK_CONTROLLERS,
            preview,
            *PRESS_ACCESS_CONTROLLERS,
            press_page,
            search,
            TopicController,
            WebhookController,
            MediaController,
            StaffController,
            MeController,
            AuditController,
            FeedController,
            feed_index,
            ListController,
            SubscriberController,
            SubscriptionApiController,
            SubscriptionPagesController,
            SignUpPagesController,
            RegistrationApiController,
            RegistrationPagesController,
            RegistrantPageController,
            TemplateController,
            CampaignController,
            BounceWebhookController,
            CampaignBouncesController,
            provider_hook,
            ArchiveController,
            ReadingPagesController,
            sitemap,
            child_sitemap,
            healthz,
            readyz,
            metrics,
            docs_asset,
            console_router(settings),
        ],
        lifespan=[lifespan],
        # SNS signing certificates, fetched once per process (POST /hooks/ses).
        state=State({"settings": settings, "sns_certificates": Certificates(settings.sns_trust)}),
        middleware=[
            RequestIdMiddleware,
            RequestMetrics,
            # /metrics checks its own scrape token, which is not a staff token.
            DefineMiddleware(BearerTokenMiddleware, exclude=["^/metrics$"]),
            AuditMiddleware,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[add_security_headers],
        request_max_body_size=settings.max_request_body,
        cors_config=cors_config(settings.cors_origins),
        openapi_config=OpenAPIConfig(
            title="SCMI newsroom API",
            version="1.0.0",
            description=f"Content, feeds and newsletters of the {SECRETARIAT['en']} (Georgia). "
            "Georgian (ka) and English (en).",
            path="/schema",
            render_plugins=[LocalSwaggerUI(path=["/", "/swagger"])],
        ),
        debug=False,
        logging_config=None,  # service.logs configures logging once, for the API and the worker alike
    )
    document_problems(app)
    app = serve_cached_reads(app)
    if settings.trusted_proxies:
        # Outermost, so that every layer (the fast path, rate limits, consent records, logs) sees one
        # client; without trusted proxies there is nothing to rewrite and no layer to pay for.
        app.asgi_handler = ForwardedClient(app.asgi_handler, settings.trusted_proxies)
    return app
