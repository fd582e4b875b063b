"""The console's entry editor: both languages side by side, preview, publishing, revisions, conflicts."""

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Stream
from markupsafe import Markup

from accounts.console_sessions import ConsoleUser
from content import entries, previews, publishing, revisions
from content.kinds import DEFAULT_TIMEZONE, KIND_FIELDS, KINDS, MATERIAL_TYPES
from content.languages import LANGUAGE_NAMES, LANGUAGES
from content.markup import render_body
from content.media import access, library
from content.media.intake import Intake
from content.media.schemas import AssetOut
from content.media.storage import MediaStorage
from content.queries import get_entry
from content.schemas import Actor, EntryIn, EntryOut, EntryPatch, FieldChange, PublishIn, RevisionOut
from content.topics import list_topics
from content.workflow import comments, mark_current, request_changes, restore, submit
from content.zones import zone_named
from core.db import utcnow
from core.errors import Conflict, Forbidden, Invalid, NotFound, StaleRevision, TooLarge, Unsupported
from newsletters.press import access as press_access
from service.auth import actor_of
from service.console.page_memo import PageMemo
from service.console.press_access import PressForm, grant_from_form, press_section, read_press_form
from service.console.rendering import TBILISI, console_page, page_response, render_page, tbilisi_time
from service.console.session import form_token, settings_of, signed_in
from service.console.texts import TEXTS
from service.files import send_file
from tasks.enqueue import enqueue_press_mails, enqueue_renditions, enqueue_review_mail
from tasks.review_mail import CHANGES_REQUESTED, SUBMITTED

AnyRequest = Request[Any, Any, Any]

# A cover uploaded in place travels inside the form: room for the library's default limit and the text.
EDITOR_BODY_LIMIT: Final = 51 * 1024 * 1024
PUBLISHING_ACTIONS: Final = ("publish", "schedule", "embargo", "unpublish", "archive")
ACTIONS: Final = ("preview", "save", *PUBLISHING_ACTIONS)
REVIEW_ACTIONS: Final = ("submit", "request_changes")
DONE_NOTICES: Final = (
    *ACTIONS,
    *REVIEW_ACTIONS,
    "comment",
    "restore",
    "current",
    "press_grant",
    "press_revoke",
)
TEXT_FIELDS: Final = ("title", "summary", "body", "location")
LOCAL_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M"
URL_FIELDS: Final = ("online_url", "registration_url", "external_url")
LIBRARY_PAGE: Final = 100


@dataclass
class EditorForm:
    """What the person typed, as strings, plus the choices; kept whole so nothing is lost on a refusal."""

    values: dict[str, str] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    attachment_ids: list[str] = field(default_factory=list)
    cover_id: str = ""
    revision: int | None = None


@dataclass
class Parsed:
    """A form turned into the domain's shapes, or the errors that stopped it."""

    translations: dict[str, dict[str, Any] | None]
    fields: dict[str, Any]
    publish_at: datetime | None
    embargo_until: datetime | None
    errors: dict[str, str]
    unpublish_at: datetime | None = None


def allowed_actions(user: ConsoleUser, entry: EntryOut | None) -> list[str]:
    """The buttons the person may press: authors save their own drafts; editors and admins do all."""
    principal = user.principal
    if principal.has_role("editor"):
        if entry is None:
            return ["save", "publish", "schedule", "embargo"]
        actions = ["save", "publish", "schedule", "embargo"]
        if entry.status != "draft":
            actions.append("unpublish")
        if entry.status != "archived":
            actions.append("archive")
        return actions
    if entry is None or (entry.created_by == principal.id and entry.status in ("draft", "in_review")):
        return ["save"]  # an author's save of an entry in review takes it back to draft
    return []


def review_actions(user: ConsoleUser, entry: EntryOut | None) -> list[str]:
    """The review buttons: the author submits their own draft; editors send an entry in review back."""
    if entry is None:
        return []
    principal = user.principal
    if entry.status == "draft" and entry.created_by == principal.id:
        return ["submit"]
    if entry.status == "in_review" and principal.has_role("editor"):
        return ["request_changes"]
    return []


def outdated_translations(entry: EntryOut | None) -> dict[str, str]:
    """The languages of an entry whose translation is outdated, each with the other languages' names."""
    if entry is None or not isinstance(entry.sources, dict):
        return {}
    return {
        code: ", ".join(
            language_name(other) for other in LANGUAGES if other != code and other in entry.sources
        )
        for code, source in entry.sources.items()
        if source.outdated
    }


def may_preview_on_website(user: ConsoleUser, entry: EntryOut | None) -> bool:
    """Whether the editor shows "preview on the website": the preview-link rules of the API."""
    if entry is None or entry.status == "archived":
        return False
    return user.principal.has_role("editor") or entry.created_by == user.principal.id


def local_input(moment: datetime | None, zone: str = DEFAULT_TIMEZONE) -> str:
    """A moment as a datetime-local field shows it, in the given zone."""
    if moment is None:
        return ""
    return moment.astimezone(zone_named(zone) or TBILISI).strftime(LOCAL_TIME_FORMAT)


def parse_local(text: str, zone: ZoneInfo) -> datetime:
    """A datetime-local value (or `YYYY-MM-DD HH:MM`) read as a time in `zone`; ValueError if not one."""
    text = text.strip().replace(" ", "T")
    for pattern in (LOCAL_TIME_FORMAT, "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    raise ValueError(text)


def form_from_entry(entry: EntryOut) -> EditorForm:
    """The editor's fields as the entry stands."""
    values: dict[str, str] = {}
    for lang, source in (entry.sources or {}).items():
        values[f"{lang}.title"] = source.title
        values[f"{lang}.summary"] = source.summary
        values[f"{lang}.body"] = source.body
        values[f"{lang}.location"] = source.location or ""
    zone = entry.timezone if isinstance(entry.timezone, str) else DEFAULT_TIMEZONE
    for name in KIND_FIELDS[entry.kind]:
        value = getattr(entry, name)
        if name in ("starts_at", "ends_at"):
            values[name] = local_input(value, zone)
        elif name == "deadline":
            values[name] = local_input(value)
        elif name == "cancelled":
            values[name] = "on" if value else ""
        else:
            values[name] = value if isinstance(value, str) else ""
    publish_at = entry.publish_at if isinstance(entry.publish_at, datetime) else None
    embargo_until = entry.embargo_until if isinstance(entry.embargo_until, datetime) else None
    values["publish_at"] = local_input(publish_at)
    values["embargo_until"] = local_input(embargo_until)
    values["unpublish_at"] = local_input(
        entry.unpublish_at if isinstance(entry.unpublish_at, datetime) else None
    )
    return EditorForm(
        values=values,
        topics=[topic.slug for topic in entry.topics],
        attachment_ids=[str(asset_id) for asset_id in entry.attachment_ids],
        cover_id=str(entry.cover_id) if entry.cover_id else "",
        revision=entry.revision if isinstance(entry.revision, int) else None,
    )


def new_form(kind: str) -> EditorForm:
    """An empty editor; events start in Tbilisi time."""
    return EditorForm(values={"timezone": DEFAULT_TIMEZONE} if kind == "events" else {})


async def read_form(request: AnyRequest) -> tuple[EditorForm, str, UploadFile | None]:
    """The posted editor form, the button pressed, and a cover file if one was chosen."""
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    upload = form.get("cover_file")
    revision = values.get("revision", "")
    return (
        EditorForm(
            values=values,
            topics=[value for value in form.getall("topics", []) if isinstance(value, str)],
            attachment_ids=[value for value in form.getall("attachment_ids", []) if isinstance(value, str)],
            cover_id=values.get("cover_id", ""),
            revision=int(revision) if revision.isdigit() else None,
        ),
        values.get("action", "save"),
        upload if isinstance(upload, UploadFile) and upload.filename else None,
    )


def parse(kind: str, form: EditorForm, action: str, lang: str) -> Parsed:
    """Check the form field by field; the domain checks the rest when it is saved."""
    texts = TEXTS[lang]
    errors: dict[str, str] = {}
    translations: dict[str, dict[str, Any] | None] = {}
    for code in LANGUAGES:
        text: dict[str, Any] = {name: form.values.get(f"{code}.{name}", "").strip() for name in TEXT_FIELDS}
        if kind != "events":
            text.pop("location")
        if not any(text.values()):
            translations[code] = None
            continue
        if not text["title"]:
            errors[f"{code}.title"] = texts["ed_err_title"].format(language=language_name(code))
        if "location" in text:
            text["location"] = text["location"] or None
        translations[code] = text
    if all(value is None for value in translations.values()):
        errors[f"{LANGUAGES[0]}.title"] = texts["ed_err_language"]

    fields: dict[str, Any] = {}
    allowed = KIND_FIELDS[kind]
    zone = TBILISI
    if "timezone" in allowed:
        zone_name = form.values.get("timezone", "").strip() or DEFAULT_TIMEZONE
        named = zone_named(zone_name)
        if named is None:
            errors["timezone"] = texts["ed_err_timezone"]
        else:
            zone = named
            fields["timezone"] = zone_name
    for name in ("starts_at", "ends_at", "deadline"):
        if name in allowed:
            fields[name] = _time(form, name, zone if name != "deadline" else TBILISI, errors, texts)
    for name in URL_FIELDS:
        if name in allowed:
            value = form.values.get(name, "").strip()
            if value and not value.startswith(("https://", "http://")):
                errors[name] = texts["ed_err_url"]
            fields[name] = value or None
    if "cancelled" in allowed:
        fields["cancelled"] = bool(form.values.get("cancelled"))
    if "material_type" in allowed:
        value = form.values.get("material_type", "")
        fields["material_type"] = value if value in MATERIAL_TYPES else None
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts is not None and ends is not None and ends < starts:
        errors["ends_at"] = texts["ed_err_ends"]

    publish_at = _time(form, "publish_at", TBILISI, errors, texts)
    embargo_until = _time(form, "embargo_until", TBILISI, errors, texts)
    if action == "schedule" and (publish_at is None or publish_at <= utcnow()) and "publish_at" not in errors:
        errors["publish_at"] = texts["ed_err_publish_at"]
    if action == "embargo" and embargo_until is None and "embargo_until" not in errors:
        errors["embargo_until"] = texts["ed_err_embargo"]
    if action in ("publish", "schedule", "embargo") and kind == "events" and fields.get("starts_at") is None:
        errors.setdefault("starts_at", texts["ed_err_starts"])
    unpublish_at = _time(form, "unpublish_at", TBILISI, errors, texts)
    if unpublish_at is not None and (
        unpublish_at <= utcnow() or (action == "schedule" and publish_at and unpublish_at <= publish_at)
    ):
        errors["unpublish_at"] = texts["ed_err_unpublish_at"]
    return Parsed(translations, fields, publish_at, embargo_until, errors, unpublish_at)


def _time(
    form: EditorForm, name: str, zone: ZoneInfo, errors: dict[str, str], texts: dict[str, str]
) -> datetime | None:
    value = form.values.get(name, "").strip()
    if not value:
        return None
    try:
        return parse_local(value, zone)
    except ValueError:
        errors[name] = texts["ed_err_time"]
        return None


def language_name(code: str) -> str:
    """A language's own name (ქართული, English), as the editor's column headings show it."""
    return LANGUAGE_NAMES[code]


def _uuids(values: list[str]) -> list[str]:
    good: list[str] = []
    for value in values:
        try:
            good.append(str(UUID(value)))
        except ValueError:
            continue
    return good


def entry_in(parsed: Parsed, form: EditorForm) -> EntryIn:
    """A new draft from the checked form (msgspec checks lengths and patterns)."""
    cover = _uuids([form.cover_id])
    data = {
        "translations": {code: text for code, text in parsed.translations.items() if text is not None},
        "topics": form.topics,
        "cover_id": cover[0] if cover else None,
        "attachment_ids": _uuids(form.attachment_ids),
        **parsed.fields,
    }
    return msgspec.convert(data, EntryIn)


def entry_patch(parsed: Parsed, form: EditorForm, entry: EntryOut) -> EntryPatch:
    """A change that makes the entry what the form says; an emptied language is removed."""
    cover = _uuids([form.cover_id])
    existing = set(entry.sources or {})
    translations = {
        code: text for code, text in parsed.translations.items() if text is not None or code in existing
    }
    data = {
        "translations": translations,
        "topics": form.topics,
        "cover_id": cover[0] if cover else None,
        "attachment_ids": _uuids(form.attachment_ids),
        **parsed.fields,
    }
    if "unpublish_at" in form.values:  # only editors' forms carry it: an author's save leaves it be
        data["unpublish_at"] = parsed.unpublish_at
    return msgspec.convert(data, EntryPatch)


def form_field(domain_field: str | None) -> str:
    """The form field a domain or msgspec error names (`translations.ka.title` → `ka.title`)."""
    name = (domain_field or "").removeprefix("$.").removeprefix("translations.")
    if name.startswith("topics"):
        return "topics"
    if name.startswith("attachment_ids"):
        return "attachment_ids"
    if name in ("", "translations") or name in LANGUAGES:
        return f"{LANGUAGES[0]}.title"
    return name


def message_for(name: str, texts: dict[str, str], error: Exception | None = None) -> str:
    """The staff member's own-language message for a refused field."""
    if name == "topics":
        return texts["ed_err_topic"]
    if name in ("cover_id", "attachment_ids"):
        return texts["ed_err_asset"]
    if name == "ends_at":
        return texts["ed_err_ends"]
    if name == "starts_at":
        return texts["ed_err_starts"]
    if name == "timezone":
        return texts["ed_err_timezone"]
    if name in URL_FIELDS:
        return texts["ed_err_url"]
    if error is not None and "length" in str(error):
        return texts["ed_err_too_long"]
    return texts["ed_err_invalid"]


TIME_FIELDS: Final = frozenset(
    {"starts_at", "ends_at", "deadline", "publish_at", "embargo_until", "unpublish_at"}
)


def field_label(name: str, lang: str) -> str:
    """A revision's field name as staff read it: `translations.en.title` → `Title (English)`."""
    texts = TEXTS[lang]
    parts = name.split(".")
    if parts[0] == "translations" and len(parts) >= 2 and parts[1] in LANGUAGE_NAMES:
        language = LANGUAGE_NAMES[parts[1]]
        if len(parts) == 2:
            return texts["ed_text_in"].format(language=language)
        return f"{texts.get(f'ed_{parts[2]}', parts[2])} ({language})"
    aliases = {"cover_id": "ed_cover", "attachment_ids": "ed_attachments", "created": "ed_created"}
    return texts.get(aliases.get(name, f"ed_{name}"), name)


def change_value(name: str, value: str, lang: str) -> str:
    """A value of a diff as staff read it: times in Tbilisi time, a status in words."""
    if not value:
        return "—"
    if name in TIME_FIELDS:
        try:
            return tbilisi_time(datetime.fromisoformat(value), lang)
        except ValueError:
            return value
    if name == "status":
        return TEXTS[lang].get(f"ed_status_{value}", value)
    return value


def _storage(request: AnyRequest) -> MediaStorage:
    storage: MediaStorage = request.app.state.media_storage
    return storage


async def store_cover(request: AnyRequest, upload: UploadFile, staff_id: UUID) -> AssetOut:
    """Put a file chosen in the editor into the media library, as POST /api/v1/media does."""
    limits = settings_of(request).media_limits
    with Intake(limits.scratch_dir, limits.max_upload) as intake:
        await upload.seek(0)
        while chunk := await upload.read(1024 * 1024):
            intake.write(chunk)
        sha256 = intake.finish()
        asset, _ = await library.add_upload(
            intake.path,
            sha256,
            intake.size,
            upload.filename,
            staff_id,
            _storage(request),
            limits,
            functools.partial(enqueue_renditions, request.app.state.queue),
        )
    return asset


async def _publish(kind: str, entry_id: UUID, action: str, parsed: Parsed, actor: Actor) -> None:
    expires = parsed.unpublish_at
    if action == "publish":
        data = PublishIn(embargo_until=parsed.embargo_until, unpublish_at=expires)
        await publishing.publish_entry(kind, entry_id, data, actor)
    elif action == "schedule":
        data = PublishIn(at=parsed.publish_at, embargo_until=parsed.embargo_until, unpublish_at=expires)
        await publishing.publish_entry(kind, entry_id, data, actor)
    elif action == "embargo":
        data = PublishIn(embargo_until=parsed.embargo_until, unpublish_at=expires)
        await publishing.publish_entry(kind, entry_id, data, actor)
    elif action == "unpublish":
        await publishing.unpublish_entry(kind, entry_id, actor)
    elif action == "archive":
        await publishing.archive_entry(kind, entry_id, actor)


async def staff_entry(kind: str, entry_id: UUID, lang: str) -> EntryOut:
    """The entry as staff see it, or the console's not-found page."""
    try:
        return await get_entry(kind, str(entry_id), None, lang, staff=True)
    except NotFound:
        raise NotFoundException from None


def editor_controller(kind: str) -> type[Controller]:
    """The editor of one kind of entry, at `/console/{kind}/new` and `/console/{kind}/{id}`."""

    class EntryEditorController(Controller):
        path = f"/console/{kind}"
        include_in_schema = False

        async def _page(
            self,
            request: AnyRequest,
            user: ConsoleUser,
            entry: EntryOut | None,
            form: EditorForm,
            *,
            status_code: int = 200,
            errors: dict[str, str] | None = None,
            previews: dict[str, Markup] | None = None,
            notice: str = "",
            conflict: tuple[list[FieldChange], list[RevisionOut], int] | None = None,
            press_form: PressForm | None = None,
        ) -> Response[str]:
            html = await self._html(
                form_token(request),
                user,
                entry,
                form,
                errors=errors,
                previews=previews,
                notice=notice,
                conflict=conflict,
                press_form=press_form,
            )
            return page_response(html, status_code=status_code)

        async def _html(
            self,
            csrf: str,
            user: ConsoleUser,
            entry: EntryOut | None,
            form: EditorForm,
            *,
            errors: dict[str, str] | None = None,
            previews: dict[str, Markup] | None = None,
            notice: str = "",
            conflict: tuple[list[FieldChange], list[RevisionOut], int] | None = None,
            press_form: PressForm | None = None,
        ) -> str:
            lang = user.interface_lang
            slugs: dict[str, str] = {}
            for code in LANGUAGES:
                title = form.values.get(f"{code}.title", "").strip()
                if title:
                    slugs[code] = await entries.slug_for(kind, code, title, entry.id if entry else None)
            images = await access.list_assets(staff=True, limit=LIBRARY_PAGE, family="image")
            library_page = await access.list_assets(staff=True, limit=LIBRARY_PAGE)
            return render_page(
                "entry_conflict.html" if conflict else "entry_edit.html",
                lang,
                user=user,
                csrf_token=csrf,
                kind=kind,
                kind_fields=KIND_FIELDS[kind],
                material_types=MATERIAL_TYPES,
                entry=entry,
                form=form,
                languages=LANGUAGES,
                slugs=slugs,
                topics=await list_topics(),
                images=images.items,
                assets=library_page.items,
                actions=allowed_actions(user, entry),
                may_preview_on_website=may_preview_on_website(user, entry),
                review_actions=review_actions(user, entry),
                outdated=outdated_translations(entry),
                comments=await comments.list_comments(kind, entry.id) if entry else [],
                press=await press_section(user, entry, utcnow()),
                press_form=press_form or PressForm(),
                comment_html=lambda comment: Markup(comment.body_html),  # noqa: S704  (sanitised on save)
                errors=errors or {},
                previews=previews or {},
                notice=notice,
                changes=conflict[0] if conflict else [],
                newer=conflict[1] if conflict else [],
                current_revision=conflict[2] if conflict else None,
                field_label=lambda name: field_label(name, lang),
                change_value=lambda name, value: change_value(name, value, lang),
                action_url=f"/console/{kind}/{entry.id}" if entry else f"/console/{kind}/new",
            )

        @get("/new")
        async def new_entry(self, request: AnyRequest) -> Response[str]:
            user = await signed_in(request)
            return await self._page(request, user, None, new_form(kind))

        @post("/new", request_max_body_size=EDITOR_BODY_LIMIT)
        async def create(self, request: AnyRequest) -> Response[Any]:
            user = await signed_in(request)
            return await self._save(request, user, None)

        @get("/{entry_id:uuid}")
        async def edit_entry(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[str]:
            user = await signed_in(request)
            memo: PageMemo = request.app.state.console_pages
            # What may be done depends on who asks (an author edits their own drafts): one page each.
            principal = user.principal
            key = (
                "editor",
                kind,
                entry_id,
                request.scope["query_string"],
                user.interface_lang,
                principal.id,
                principal.role,
            )

            async def render() -> str:
                entry = await staff_entry(kind, entry_id, user.interface_lang)
                done = request.query_params.get("done", "")
                notice = TEXTS[user.interface_lang].get(f"ed_done_{done}", "") if done in DONE_NOTICES else ""
                return await self._html(memo.marker, user, entry, form_from_entry(entry), notice=notice)

            html = await memo.page(key, form_token(request), render)
            assert html is not None  # render keeps every page it makes
            return page_response(html)

        @post("/{entry_id:uuid}", request_max_body_size=EDITOR_BODY_LIMIT)
        async def update(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[Any]:
            user = await signed_in(request)
            entry = await staff_entry(kind, entry_id, user.interface_lang)
            return await self._save(request, user, entry)

        @post("/{entry_id:uuid}/preview-link")
        async def website_preview(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Redirect:
            """Make a preview link (the API's own rules) and open the website's page that shows it."""
            user = await signed_in(request)
            try:
                made = await previews.make_preview_link(kind, entry_id, actor_of(user.principal))
            except Forbidden as refused:
                raise PermissionDeniedException(refused.detail) from None
            except NotFound:
                raise NotFoundException() from None
            except Invalid as invalid:
                raise HTTPException(status_code=409, detail=invalid.detail) from None
            return Redirect(settings_of(request).preview_url(made.token), status_code=303)

        @get("/{entry_id:uuid}/revisions")
        async def revision_list(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[str]:
            user = await signed_in(request)
            entry = await staff_entry(kind, entry_id, user.interface_lang)
            return console_page(
                "entry_revisions.html",
                user.interface_lang,
                user=user,
                csrf_token=form_token(request),
                kind=kind,
                entry=entry,
                revisions=await revisions.list_revisions(kind, entry_id),
                field_label=lambda name: field_label(name, user.interface_lang),
                may_restore=user.principal.has_role("editor"),
            )

        @post("/{entry_id:uuid}/review")
        async def review(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[Any]:
            user = await signed_in(request)
            entry = await staff_entry(kind, entry_id, user.interface_lang)
            data = await request.form()
            action, note = str(data.get("action", "")), str(data.get("note", ""))
            if action not in review_actions(user, entry):
                raise PermissionDeniedException("your role does not allow this action")
            actor = actor_of(user.principal)
            queue = request.app.state.queue
            try:
                if action == "submit":
                    await submit.submit_entry(kind, entry_id, actor, note)
                    await enqueue_review_mail(queue, SUBMITTED, entry_id, actor.id)
                else:
                    await request_changes.request_changes(kind, entry_id, actor, note)
                    await enqueue_review_mail(queue, CHANGES_REQUESTED, entry_id, actor.id)
            except (Invalid, Conflict) as error:
                texts = TEXTS[user.interface_lang]
                form = form_from_entry(entry)
                form.values["note"] = note
                invalid = isinstance(error, Invalid)
                return await self._page(
                    request,
                    user,
                    entry,
                    form,
                    status_code=422 if invalid else 409,
                    errors={"note": texts["ed_err_note"]} if invalid else {"action": texts["ed_err_state"]},
                )
            except Forbidden:
                raise PermissionDeniedException("your role does not allow this action") from None
            return Redirect(f"/console/{kind}/{entry_id}?done={action}", status_code=303)

        @post("/{entry_id:uuid}/translations/{lang:str}/current")
        async def mark_translation_current(
            self, request: AnyRequest, entry_id: FromPath[UUID], lang: FromPath[str]
        ) -> Redirect:
            """Clear a translation's outdated mark (the API's rules: whoever may edit the entry)."""
            user = await signed_in(request)
            try:
                await mark_current.mark_current(kind, entry_id, lang, actor_of(user.principal))
            except Forbidden:
                raise PermissionDeniedException("your role does not allow this action") from None
            except (NotFound, Invalid):
                raise NotFoundException from None
            return Redirect(f"/console/{kind}/{entry_id}?done=current", status_code=303)

        @post("/{entry_id:uuid}/comments")
        async def comment(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[Any]:
            user = await signed_in(request)
            entry = await staff_entry(kind, entry_id, user.interface_lang)
            body = str((await request.form()).get("body", ""))
            try:
                await comments.add_comment(kind, entry_id, actor_of(user.principal), body)
            except Invalid:
                form = form_from_entry(entry)
                form.values["body"] = body
                errors = {"body": TEXTS[user.interface_lang]["ed_err_comment"]}
                return await self._page(request, user, entry, form, status_code=422, errors=errors)
            return Redirect(f"/console/{kind}/{entry_id}?done=comment#comments-title", status_code=303)

        @post("/{entry_id:uuid}/press-access")
        async def press_grant(self, request: AnyRequest, entry_id: FromPath[UUID]) -> Response[Any]:
            """Give the embargoed entry to lists and addresses (the API's rules); the worker mails them."""
            user = await signed_in(request)
            if not user.principal.has_role("editor"):
                raise PermissionDeniedException("only editors and admins give the press early access")
            entry = await staff_entry(kind, entry_id, user.interface_lang)
            chosen = read_press_form(await request.form())
            new, errors = await grant_from_form(
                kind,
                entry,
                chosen,
                user,
                secret_key=settings_of(request).secret_key,
                texts=TEXTS[user.interface_lang],
            )
            if errors:
                status = (
                    409
                    if errors.get("press_emails") == TEXTS[user.interface_lang]["ed_err_press_embargo"]
                    else 422
                )
                return await self._page(
                    request,
                    user,
                    entry,
                    form_from_entry(entry),
                    status_code=status,
                    errors=errors,
                    press_form=chosen,
                )
            await enqueue_press_mails(request.app.state.queue, new)
            return Redirect(f"/console/{kind}/{entry_id}?done=press_grant#press-title", status_code=303)

        @post("/{entry_id:uuid}/press-access/{grant_id:uuid}/revoke")
        async def press_revoke(
            self, request: AnyRequest, entry_id: FromPath[UUID], grant_id: FromPath[UUID]
        ) -> Response[Any]:
            """Withdraw one journalist's access: their link answers 410 from now on."""
            user = await signed_in(request)
            if not user.principal.has_role("editor"):
                raise PermissionDeniedException("only editors and admins withdraw press access")
            await staff_entry(kind, entry_id, user.interface_lang)
            try:
                await press_access.revoke_access(kind, entry_id, grant_id, actor_of(user.principal))
            except NotFound:
                raise NotFoundException from None
            return Redirect(f"/console/{kind}/{entry_id}?done=press_revoke#press-title", status_code=303)

        @post("/{entry_id:uuid}/revisions/{number:int}/restore")
        async def restore(
            self, request: AnyRequest, entry_id: FromPath[UUID], number: FromPath[int]
        ) -> Response[Any]:
            user = await signed_in(request)
            if not user.principal.has_role("editor"):
                raise PermissionDeniedException("only editors and admins restore a revision")
            await staff_entry(kind, entry_id, user.interface_lang)
            try:
                await restore.restore_revision(kind, entry_id, number, actor_of(user.principal))
            except NotFound:
                raise NotFoundException from None
            return Redirect(f"/console/{kind}/{entry_id}?done=restore", status_code=303)

        async def _save(
            self, request: AnyRequest, user: ConsoleUser, entry: EntryOut | None
        ) -> Response[Any]:
            lang = user.interface_lang
            texts = TEXTS[lang]
            form, action, upload = await read_form(request)
            if action not in ACTIONS:
                action = "save"
            if action != "preview" and action not in allowed_actions(user, entry):
                raise PermissionDeniedException("your role does not allow this action")
            parsed = parse(kind, form, action, lang)
            if action == "preview" or parsed.errors:
                previews: dict[str, Markup] = {
                    code: Markup(render_body(form.values.get(f"{code}.body", "")))  # noqa: S704  (sanitised)
                    for code in LANGUAGES
                    if form.values.get(f"{code}.body", "").strip()
                }
                return await self._page(
                    request,
                    user,
                    entry,
                    form,
                    status_code=422 if parsed.errors else 200,
                    errors=parsed.errors,
                    previews=previews if action == "preview" else {},
                )
            actor = actor_of(user.principal)
            try:
                if upload is not None:
                    asset = await store_cover(request, upload, user.principal.id)
                    form.cover_id = str(asset.id)
                if entry is None:
                    saved = await entries.create_entry(kind, entry_in(parsed, form), actor)
                else:
                    saved = await entries.update_entry(
                        kind,
                        entry.id,
                        entry_patch(parsed, form, entry),
                        actor,
                        expected_revision=form.revision,
                        skip_unchanged=True,
                    )
                await _publish(kind, saved.id, action, parsed, actor)
            except StaleRevision as stale:
                assert entry is not None  # only an existing entry has revisions to be stale against
                current = await staff_entry(kind, entry.id, lang)
                changes = await revisions.changes_since(kind, entry.id, stale.expected)
                newer = [
                    item
                    for item in await revisions.list_revisions(kind, entry.id)
                    if item.number > stale.expected
                ]
                form.revision = stale.current
                return await self._page(
                    request, user, current, form, status_code=409, conflict=(changes, newer, stale.current)
                )
            except Forbidden:
                raise PermissionDeniedException("your role does not allow this action") from None
            except (msgspec.ValidationError, Invalid) as error:
                # The domain names the field; msgspec says where in the body it stopped.
                stopped_at = str(error).rpartition(" - at `")[2].rstrip("`")
                name = form_field(error.field if isinstance(error, Invalid) else stopped_at)
                return await self._page(
                    request,
                    user,
                    entry,
                    form,
                    status_code=422,
                    errors={name: message_for(name, texts, error)},
                )
            except TooLarge:
                return await self._page(
                    request,
                    user,
                    entry,
                    form,
                    status_code=413,
                    errors={"cover_file": texts["ed_err_upload_large"]},
                )
            except Unsupported:
                return await self._page(
                    request,
                    user,
                    entry,
                    form,
                    status_code=415,
                    errors={"cover_file": texts["ed_err_upload_type"]},
                )
            except Conflict:
                return await self._page(
                    request, user, entry, form, status_code=409, errors={"action": texts["ed_err_state"]}
                )
            return Redirect(f"/console/{kind}/{saved.id}?done={action}", status_code=303)

    EntryEditorController.__name__ = f"{kind.title()}EditorController"
    EntryEditorController.__qualname__ = EntryEditorController.__name__
    return EntryEditorController


class ThumbnailController(Controller):
    """Small images of the media library for the editor's cover choice (staff see unpublished ones)."""

    path = "/console/thumbnails"
    include_in_schema = False

    @get("/{asset_id:uuid}")
    async def thumbnail(self, request: AnyRequest, asset_id: FromPath[UUID]) -> Response[Any] | Stream:
        await signed_in(request)
        try:
            asset = await access.get_asset(asset_id, staff=True)
            made = sorted(asset.renditions or [], key=lambda item: item.width)
            served = await access.served_file(asset_id, made[0].name if made else None, staff=True)
        except NotFound:
            raise NotFoundException from None
        return await send_file(request, _storage(request), served)


EDITOR_CONTROLLERS: Final = [editor_controller(kind) for kind in KINDS]
