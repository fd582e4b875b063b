"""The console's lists and subscribers (admin only, as the API): search, a person's page and consent
history, add on a recorded basis, edit, erase, CSV import with its refusals, and the export."""

import csv
import io
import json
import re
from typing import Any, Final
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Stream
from litestar.utils.scope.state import ScopeState

from accounts.console_sessions import ConsoleUser
from content.languages import LANGUAGES
from core.csv_cells import safe_row
from core.errors import Conflict, Invalid, NotFound, TooLarge
from newsletters import consent, import_runs, lists, subscribers
from newsletters.consent import Origin
from newsletters.subscriber_schemas import ListIn, ListNames, ListPatch, Names, SubscriberIn, SubscriberPatch
from registrations.erasure import erase_subscriber_everywhere
from service.client_address import peer_address
from service.console.campaigns import PROGRESS_PAGE_POLICY, PROGRESS_SCRIPT_PATH
from service.console.media_upload import NotAnUpload
from service.console.rendering import console_page
from service.console.session import CSRF_COOKIE, form_token, settings_of, signed_in
from service.console.subscriber_import import MAX_IMPORT_BYTES, receive_import
from service.console.texts import TEXTS
from service.controllers.subscribers import export_stream
from tasks.enqueue import enqueue_import

AnyRequest = Request[Any, Any, Any]
SLUG: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PAGE_SIZE: Final = 25
LIMITS: Final = {"name": 200, "organisation": 300, "email": 320, "basis": 2000}
REFUSAL_COLUMNS: Final = ("line", "email", "reason")
IMPORT_REFRESH_SECONDS: Final = 2  # an import's progress page, fetched again while it runs


async def _admin(request: AnyRequest) -> ConsoleUser:
    user = await signed_in(request)
    if not user.principal.has_role("admin"):
        raise PermissionDeniedException
    return user


def _origin(request: AnyRequest, user: ConsoleUser, source: str) -> Origin:
    """A consent step taken by a staff member in the console (as the API's `staff_origin`)."""
    return Origin(
        source=source,
        ip=peer_address(request),
        user_agent=request.headers.get("user-agent", ""),
        staff_id=user.principal.id,
    )


async def _form(request: AnyRequest) -> tuple[dict[str, str], list[str]]:
    """The form's text fields, stripped, and its ticked lists."""
    form = await request.form()
    values = {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}
    ticked = [str(value) for value in form.getall("lists", []) if isinstance(value, str)]
    return values, ticked


def _page(request: AnyRequest, user: ConsoleUser, template: str, **context: Any) -> Response[str]:
    return console_page(
        template,
        user.interface_lang,
        user=user,
        csrf_token=form_token(request),
        errors=context.pop("errors", None) or {},
        **context,
    )


def _missing(request: AnyRequest, user: ConsoleUser) -> Response[str]:
    texts = TEXTS[user.interface_lang]
    return _page(
        request,
        user,
        "message.html",
        status_code=404,
        title=texts["not_found_title"],
        body=texts["not_found_body"],
        link={"href": "/console/subscribers/", "text": texts["sub_back"]},
    )


def _list_errors(form: dict[str, str], texts: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for lang in LANGUAGES:
        name = f"name.{lang}"
        if not form.get(name):
            errors[name] = texts[f"ml_name_missing_{lang}"]
        elif len(form[name]) > 200:
            errors[name] = texts["ml_name_long"]
        if len(form.get(f"description.{lang}", "")) > 2000:
            errors[f"description.{lang}"] = texts["ml_description_long"]
    return errors


def _names(form: dict[str, str]) -> tuple[ListNames, Names]:
    return (
        ListNames(ka=form["name.ka"], en=form["name.en"]),
        Names(ka=form.get("description.ka", ""), en=form.get("description.en", "")),
    )


class ListPagesController(Controller):
    """`/console/lists/`: every list with its counts and sign-up link; create and edit (admin)."""

    path = "/console/lists"
    include_in_schema = False

    async def _lists(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        notice: str = "",
    ) -> Response[str]:
        return _page(
            request,
            user,
            "mailing_lists.html",
            status_code=status_code,
            lists=await lists.list_lists(),
            errors=errors,
            form=form or {},
            notice=notice,
        )

    @get("/")
    async def list_page(self, request: AnyRequest) -> Response[str]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        notice = ""
        for event in ("added", "saved"):
            if request.query_params.get(event):
                notice = texts[f"ml_{event}"].format(slug=request.query_params[event][:100])
        return await self._lists(request, user, notice=notice)

    @post("/", status_code=303)
    async def add_list(self, request: AnyRequest) -> Response[Any]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        form, _ = await _form(request)
        slug = form.get("slug", "").lower()
        errors: dict[str, str] = {}
        if not SLUG.match(slug) or len(slug) > 100:
            errors["slug"] = texts["ml_slug_bad"]
        errors |= _list_errors(form, texts)
        if errors:
            return await self._lists(request, user, status_code=422, errors=errors, form=form)
        name, description = _names(form)
        try:
            await lists.create_list(
                ListIn(slug=slug, name=name, description=description, public=form.get("public") == "yes")
            )
        except Conflict:
            errors = {"slug": texts["ml_slug_taken"]}
            return await self._lists(request, user, status_code=409, errors=errors, form=form)
        return Redirect(f"/console/lists/?added={slug}", status_code=303)

    @get("/{slug:str}")
    async def edit_page(self, request: AnyRequest, slug: FromPath[str]) -> Response[str]:
        user = await _admin(request)
        try:
            found = await lists.get_list(slug)
        except NotFound:
            raise NotFoundException from None
        form = {
            "name.ka": found.name.ka,
            "name.en": found.name.en,
            "description.ka": found.description.ka,
            "description.en": found.description.en,
            "public": "yes" if found.public else "",
        }
        return _page(request, user, "mailing_list.html", slug=slug, form=form)

    @post("/{slug:str}", status_code=303)
    async def save_list(self, request: AnyRequest, slug: FromPath[str]) -> Response[Any]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        form, _ = await _form(request)
        errors = _list_errors(form, texts)
        if not errors:
            name, description = _names(form)
            try:
                await lists.change_list(
                    slug, ListPatch(name=name, description=description, public=form.get("public") == "yes")
                )
            except NotFound:
                raise NotFoundException from None
            except Invalid as invalid:
                errors = {invalid.field or "name.ka": invalid.detail}
        if errors:
            return _page(
                request, user, "mailing_list.html", status_code=422, slug=slug, form=form, errors=errors
            )
        return Redirect(f"/console/lists/?saved={slug}", status_code=303)


def _person_errors(form: dict[str, str], texts: dict[str, str], *, basis_needed: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in ("name", "organisation"):
        if len(form.get(name, "")) > LIMITS[name]:
            errors[name] = texts["sub_too_long"].format(count=LIMITS[name])
    if form.get("lang") not in LANGUAGES:
        errors["lang"] = texts["sub_lang_bad"]
    basis = form.get("basis", "")
    if (basis_needed or basis) and not 3 <= len(basis) <= LIMITS["basis"]:
        errors["basis"] = texts["sub_basis_missing"]
    return errors


def _event_view(event: consent.ConsentEventOut) -> dict[str, Any]:
    return {"event": event, "key": f"sub_action_{event.action}"}


class SubscriberPagesController(Controller):
    """`/console/subscribers/`: search, a subscriber's page, add, edit, erase, import and export."""

    path = "/console/subscribers"
    include_in_schema = False

    @get("/")
    async def search_page(self, request: AnyRequest) -> Response[str]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        params = request.query_params
        chosen = {name: params.get(name, "").strip()[:320] for name in ("q", "status", "list")}
        cursor = params.get("cursor") or None
        errors: dict[str, str] = {}
        page = None
        try:
            page = await subscribers.search_subscribers(
                q=chosen["q"] or None,
                status=chosen["status"] or None,
                list_slug=chosen["list"] or None,
                limit=PAGE_SIZE,
                cursor=cursor,
            )
        except Invalid as invalid:  # a status or list not offered, or a cursor this page did not give
            field = invalid.field if invalid.field in ("status", "list") else "cursor"
            errors = {"q" if field == "cursor" else field: texts[f"sub_bad_{field}"]}
        older = None
        if page is not None and page.next_cursor:
            older = "/console/subscribers/?" + urlencode({**chosen, "cursor": page.next_cursor})
        first = ("/console/subscribers/?" + urlencode(chosen)) if cursor else None
        notice = ""
        return _page(
            request,
            user,
            "subscribers.html",
            status_code=422 if errors else 200,
            errors=errors,
            chosen=chosen,
            statuses=subscribers.STATUSES,
            # Names only: counting every list's members would cost each search a pass over them all.
            lists=await lists.list_choices(),
            items=page.items if page is not None else [],
            older=older,
            first=first,
            notice=notice,
        )

    def _new_page(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        all_lists: list[Any],
        form: dict[str, str],
        ticked: list[str],
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
    ) -> Response[str]:
        return _page(
            request,
            user,
            "subscriber_new.html",
            status_code=status_code,
            form=form,
            ticked=ticked,
            lists=all_lists,
            languages=LANGUAGES,
            errors=errors,
        )

    @get("/new")
    async def new_page(self, request: AnyRequest) -> Response[str]:
        user = await _admin(request)
        return self._new_page(request, user, await lists.list_lists(), {"lang": "ka"}, [])

    @post("/new", status_code=303)
    async def add(self, request: AnyRequest) -> Response[Any]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        form, ticked = await _form(request)
        all_lists = await lists.list_lists()
        errors = _person_errors(form, texts, basis_needed=True)
        email = form.get("email", "")
        if not email:
            errors = {"email": texts["sub_email_missing"], **errors}
        elif len(email) > LIMITS["email"]:
            errors = {"email": texts["sub_too_long"].format(count=LIMITS["email"]), **errors}
        known = {item.slug for item in all_lists}
        if any(slug not in known for slug in ticked) or len(ticked) > 50:
            errors["lists"] = texts["sub_lists_bad"]
        if errors:
            return self._new_page(request, user, all_lists, form, ticked, status_code=422, errors=errors)
        data = SubscriberIn(
            email=email,
            basis=form["basis"],
            lists=ticked,
            lang=form["lang"],  # type: ignore[arg-type]  # checked against LANGUAGES above
            name=form.get("name", ""),
            organisation=form.get("organisation", ""),
        )
        try:
            added = await subscribers.add_subscriber(
                data, secret_key=settings_of(request).secret_key, origin=_origin(request, user, "staff")
            )
        except Conflict as conflict:
            message = texts["sub_suppressed"] if "erased" in conflict.detail else texts["sub_exists"]
            return self._new_page(
                request, user, all_lists, form, ticked, status_code=409, errors={"email": message}
            )
        except Invalid as invalid:
            field = "email" if (invalid.field or "email") == "email" else "lists"
            message = texts["sub_email_bad"] if field == "email" else texts["sub_lists_bad"]
            return self._new_page(
                request, user, all_lists, form, ticked, status_code=422, errors={field: message}
            )
        return Redirect(f"/console/subscribers/{added.id}?added=1", status_code=303)

    async def _subscriber_page(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        subscriber_id: UUID,
        *,
        status_code: int = 200,
        form: dict[str, str] | None = None,
        ticked: list[str] | None = None,
        errors: dict[str, str] | None = None,
        notice: str = "",
    ) -> Response[str]:
        try:
            person = await subscribers.get_subscriber(subscriber_id)
        except NotFound:
            return _missing(request, user)
        on = [place.list for place in person.lists if place.status in ("active", "pending")]
        if form is None:
            form = {"name": person.name, "organisation": person.organisation, "lang": person.lang}
        return _page(
            request,
            user,
            "subscriber.html",
            status_code=status_code,
            person=person,
            history=[_event_view(event) for event in await consent.history(subscriber_id)],
            lists=await lists.list_lists(),
            languages=LANGUAGES,
            form=form,
            ticked=on if ticked is None else ticked,
            errors=errors,
            notice=notice,
        )

    @get("/{subscriber_id:uuid}")
    async def subscriber_page(self, request: AnyRequest, subscriber_id: FromPath[UUID]) -> Response[str]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        notice = ""
        for event in ("added", "saved", "erased"):
            if request.query_params.get(event):
                notice = texts[f"sub_{event}"]
        return await self._subscriber_page(request, user, subscriber_id, notice=notice)

    @post("/{subscriber_id:uuid}", status_code=303)
    async def edit(self, request: AnyRequest, subscriber_id: FromPath[UUID]) -> Response[Any]:
        user = await _admin(request)
        texts = TEXTS[user.interface_lang]
        form, ticked = await _form(request)
        errors = _person_errors(form, texts, basis_needed=False)
        if len(ticked) > 50:
            errors["lists"] = texts["sub_lists_bad"]
        if not errors:
            patch = SubscriberPatch(
                name=form.get("name", ""),
                organisation=form.get("organisation", ""),
                lang=form["lang"],  # type: ignore[arg-type]  # checked against LANGUAGES above
                lists=ticked,
                basis=form["basis"] if form.get("basis") else msgspec.UNSET,
            )
            try:
                await subscribers.edit_subscriber(
                    subscriber_id, patch, origin=_origin(request, user, "staff")
                )
            except NotFound:
                return _missing(request, user)
            except Conflict as conflict:
                key = "sub_lists_inactive" if conflict.field == "lists" else "sub_erased_no_edit"
                errors = {"lists" if conflict.field == "lists" else "name": texts[key]}
                return await self._subscriber_page(
                    request, user, subscriber_id, status_code=409, form=form, ticked=ticked, errors=errors
                )
            except Invalid as invalid:
                field = "basis" if invalid.field == "basis" else "lists"
                errors = {field: texts["sub_basis_for_lists" if field == "basis" else "sub_lists_bad"]}
        if errors:
            return await self._subscriber_page(
                request, user, subscriber_id, status_code=422, form=form, ticked=ticked, errors=errors
            )
        return Redirect(f"/console/subscribers/{subscriber_id}?saved=1", status_code=303)

    @get("/{subscriber_id:uuid}/erase")
    async def erase_page(self, request: AnyRequest, subscriber_id: FromPath[UUID]) -> Response[str]:
        user = await _admin(request)
        try:
            person = await subscribers.get_subscriber(subscriber_id)
        except NotFound:
            return _missing(request, user)
        return _page(request, user, "subscriber_erase.html", person=person)

    @post("/{subscriber_id:uuid}/erase", status_code=303)
    async def erase(self, request: AnyRequest, subscriber_id: FromPath[UUID]) -> Response[Any]:
        user = await _admin(request)
        try:
            await erase_subscriber_everywhere(
                subscriber_id, origin=_origin(request, user, "staff"), staff_email=user.principal.email
            )
        except NotFound:
            return _missing(request, user)
        return Redirect(f"/console/subscribers/{subscriber_id}?erased=1", status_code=303)

    def _import_page(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        *,
        status_code: int = 200,
        basis: str = "",
        errors: dict[str, str] | None = None,
    ) -> Response[str]:
        return _page(
            request,
            user,
            "subscriber_import.html",
            status_code=status_code,
            basis=basis,
            errors=errors,
            max_mb=MAX_IMPORT_BYTES // (1024 * 1024),
        )

    @get("/import")
    async def import_page(self, request: AnyRequest) -> Response[str]:
        user = await _admin(request)
        return self._import_page(request, user)

    @post(
        "/import",
        status_code=200,
        # The file streams to a spool file; the handler checks the form's token itself, before the file.
        opt={"exclude_from_csrf": True},
        request_max_body_size=None,
    )
    async def import_file(self, request: AnyRequest) -> Response[Any]:
        user = await _admin(request)  # before a byte of the body is read
        texts = TEXTS[user.interface_lang]
        # Litestar's CSRF check skipped this route, so it set no token for the page's forms: give them
        # the double-submit cookie's, as the check does on every page it serves.
        ScopeState.from_scope(request.scope).csrf_token = request.cookies.get(CSRF_COOKIE, "")
        try:
            received = await receive_import(request)
        except TooLarge:
            too_large = {"file": texts["imp_too_large"].format(mb=MAX_IMPORT_BYTES // (1024 * 1024))}
            return self._import_page(request, user, status_code=413, errors=too_large)
        except NotAnUpload:
            return self._import_page(request, user, status_code=422, errors={"file": texts["imp_no_file"]})
        basis = received.fields.get("basis", "")
        errors: dict[str, str] = {}
        if not 3 <= len(basis) <= LIMITS["basis"]:
            errors["basis"] = texts["sub_basis_missing"]
        if received.file is None or received.size == 0:
            errors["file"] = texts["imp_no_file"]
        if errors or received.file is None:
            if received.file is not None:
                received.file.close()
            return self._import_page(request, user, status_code=422, basis=basis, errors=errors)
        settings = settings_of(request)
        with received.file as spool:
            try:
                run_id = await import_runs.queue_import(
                    spool,
                    directory=settings.imports_dir,
                    filename=received.filename,
                    basis=basis,
                    origin=_origin(request, user, "import"),
                )
            except Invalid as invalid:
                field = "basis" if invalid.field == "basis" else "file"
                message = texts["sub_basis_missing"] if field == "basis" else texts["imp_header"]
                return self._import_page(request, user, status_code=422, basis=basis, errors={field: message})
        await enqueue_import(request.app.state.queue, run_id)
        return Redirect(f"/console/subscribers/import/{run_id}", status_code=303)

    @get("/import/{run_id:uuid}")
    async def import_progress(self, request: AnyRequest, run_id: FromPath[UUID]) -> Response[str]:
        """An import's progress (refreshed by itself while it runs), then its report and refusals."""
        user = await _admin(request)
        try:
            run = await import_runs.get_import(run_id)
        except NotFound:
            raise NotFoundException from None
        report = run.report
        refusals = ""
        if report is not None and report.refusals:
            refusals = json.dumps([[item.line, item.email, item.reason] for item in report.refusals])
        page = _page(
            request,
            user,
            "subscriber_import_run.html",
            run=run,
            report=report,
            refusals=refusals,
            refresh=None if run.finished else IMPORT_REFRESH_SECONDS,
            script=PROGRESS_SCRIPT_PATH,
        )
        page.headers["Content-Security-Policy"] = PROGRESS_PAGE_POLICY
        return page

    @post("/import/refusals", status_code=200)
    async def refusals_csv(self, request: AnyRequest) -> Response[Any]:
        """The refused rows of the import just shown, as CSV: the page hands them back in its form."""
        await _admin(request)
        form, _ = await _form(request)
        try:
            rows = msgspec.json.decode(form.get("refusals", "[]"), type=list[tuple[int, str, str]])
        except msgspec.DecodeError:
            rows = []
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(REFUSAL_COLUMNS)
        for row in rows:
            writer.writerow(safe_row(row))
        return Response(
            buffer.getvalue().encode(),
            media_type="text/csv",
            headers={
                "Content-Disposition": 'attachment; filename="refused-rows.csv"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @get("/export")
    async def export(self, request: AnyRequest) -> Stream:
        await _admin(request)
        # nosniff comes with every answer (service.security_headers).
        return export_stream(include_left=request.query_params.get("include_left") == "yes")
