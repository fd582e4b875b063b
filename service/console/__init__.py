"""The staff console: server-rendered pages under /console, CSRF-checked, in the staff member's language."""

from typing import Any

from litestar import Request, Response, Router
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.response import Redirect

from service.console.audit_log import AuditLogController
from service.console.campaigns import CampaignPagesController, progress_script
from service.console.dashboard import DashboardController
from service.console.entry_editor import EDITOR_CONTROLLERS, ThumbnailController
from service.console.entry_lists import ENTRY_LIST_CONTROLLERS
from service.console.media_library import MediaLibraryController
from service.console.my_account import MyAccountController
from service.console.registrations import RegistrationPagesController
from service.console.rendering import console_page
from service.console.session import CSRF_COOKIE, SignInNeeded, page_language, secure_cookies
from service.console.sign_in import SignInController
from service.console.staff_admin import StaffPagesController
from service.console.subscriber_pages import ListPagesController, SubscriberPagesController
from service.console.template_pages import TemplatePagesController
from service.console.texts import TEXTS
from service.console.topics import TopicPagesController
from service.console.welcome import WelcomeController
from service.settings import Settings

AnyRequest = Request[Any, Any, Any]


def _to_sign_in(_: AnyRequest, __: Exception) -> Response[Any]:
    return Redirect("/console/sign-in", status_code=303)


def _refused(request: AnyRequest, error: Exception) -> Response[str]:
    lang = page_language(request)
    texts = TEXTS[lang]
    csrf = "csrf" in str(error).lower()
    return console_page(
        "message.html",
        lang,
        status_code=403,
        title=texts["forbidden_title"],
        body=texts["csrf"] if csrf else texts["forbidden_body"],
        link={"href": "/console/", "text": texts["to_console"]},
    )


def _not_found(request: AnyRequest, _: Exception) -> Response[str]:
    lang = page_language(request)
    texts = TEXTS[lang]
    return console_page(
        "message.html",
        lang,
        status_code=404,
        title=texts["not_found_title"],
        body=texts["not_found_body"],
        link={"href": "/console/", "text": texts["to_console"]},
    )


class _RouterOfOneApp(Router):
    """A router made for one app. Litestar deep-copies every router it registers, so that one router
    may serve several apps; this one is built afresh by each `create_app`, and copying its hundreds of
    handlers cost half a second per app (each process start, each test)."""

    def __deepcopy__(self, memo: dict[int, object]) -> "_RouterOfOneApp":
        return self


def console_router(settings: Settings) -> Router:
    """Every console route, behind Litestar's double-submit CSRF check keyed with SECRET_KEY."""
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        cookie_path="/console",
        cookie_httponly=True,
        cookie_secure=secure_cookies(settings),
        cookie_samesite="lax",
    )
    return _RouterOfOneApp(
        path="/",
        route_handlers=[
            SignInController,
            WelcomeController,
            DashboardController,
            *ENTRY_LIST_CONTROLLERS,
            TopicPagesController,
            MediaLibraryController,
            *EDITOR_CONTROLLERS,
            ThumbnailController,
            CampaignPagesController,
            progress_script,
            TemplatePagesController,
            ListPagesController,
            SubscriberPagesController,
            StaffPagesController,
            AuditLogController,
            MyAccountController,
            RegistrationPagesController,
        ],
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf)],
        exception_handlers={
            SignInNeeded: _to_sign_in,
            PermissionDeniedException: _refused,
            NotFoundException: _not_found,
        },
        include_in_schema=False,
    )
