"""The console's newsletter templates: the list, the MJML editor with its placeholders, the preview."""

from typing import Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect

from accounts.console_sessions import ConsoleUser
from core.errors import Conflict, Invalid, NotFound
from newsletters import template_store
from newsletters.campaign_schemas import TemplateIn, TemplateOut
from newsletters.templates import MAX_TEMPLATE_LENGTH, PLACEHOLDERS
from service.console.campaigns import PREVIEW_PAGE_POLICY, mail_headers
from service.console.rendering import console_page
from service.console.session import form_token, settings_of, signed_in
from service.console.texts import TEXTS

AnyRequest = Request[Any, Any, Any]
LANGS: Final = ("ka", "en")
FIELDS: Final = ("slug", "name.ka", "name.en", "mjml")
MAX_NAME_LENGTH: Final = 200
SHOWN_LINE_LENGTH: Final = 300


async def _editor(request: AnyRequest) -> ConsoleUser:
    """Templates are the editors' (and admins'), as in the API."""
    user = await signed_in(request)
    if not user.principal.has_role("editor"):
        raise PermissionDeniedException
    return user


async def _template(slug: str) -> TemplateOut:
    try:
        return await template_store.get_template(slug)
    except NotFound:
        raise NotFoundException from None


def _form_of(template: TemplateOut) -> dict[str, str]:
    return {
        "slug": template.slug,
        "name.ka": template.name["ka"],
        "name.en": template.name["en"],
        "mjml": template.mjml,
    }


async def _posted(request: AnyRequest) -> dict[str, str]:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in FIELDS if name != "mjml"}
    # The MJML is kept as typed (its line numbers are what the errors name), but for the CRLF line
    # ends every browser sends a textarea with.
    values["mjml"] = str(form.get("mjml", "")).replace("\r\n", "\n")
    return values


def _field_errors(form: dict[str, str], texts: dict[str, str]) -> dict[str, str]:
    """What the form alone shows to be wrong, before the template is rendered."""
    errors: dict[str, str] = {}
    slug = form["slug"]
    if not slug or len(slug) > 100 or not slug.replace("-", "").isalnum() or not slug.isascii():
        errors["slug"] = texts["tpl_slug_bad"]
    for lang in LANGS:
        name = form[f"name.{lang}"]
        if not name or len(name) > MAX_NAME_LENGTH:
            errors[f"name.{lang}"] = texts[f"tpl_name_missing_{lang}"]
    if not form["mjml"].strip():
        errors["mjml"] = texts["tpl_mjml_missing"]
    elif len(form["mjml"]) > MAX_TEMPLATE_LENGTH:
        errors["mjml"] = texts["tpl_mjml_long"].format(count=MAX_TEMPLATE_LENGTH)
    return errors


def _wrong_line(source: str, refusal: Invalid) -> tuple[int, str] | None:
    """The line a refusal names and the text of that line, when it names one."""
    line = getattr(refusal, "line", None)
    lines = source.splitlines()
    if not isinstance(line, int) or not 1 <= line <= len(lines):
        return None
    return line, lines[line - 1][:SHOWN_LINE_LENGTH]


def _template_in(form: dict[str, str]) -> TemplateIn:
    return TemplateIn(
        slug=form["slug"], name={lang: form[f"name.{lang}"] for lang in LANGS}, mjml=form["mjml"]
    )


class TemplatePagesController(Controller):
    """`/console/templates/`: every template page, for editors and admins."""

    path = "/console/templates"
    include_in_schema = False

    @get("/")
    async def template_list(self, request: AnyRequest) -> Response[str]:
        user = await _editor(request)
        return console_page(
            "template_list.html",
            user.interface_lang,
            user=user,
            csrf_token=form_token(request),
            templates=await template_store.list_templates(),
        )

    def _editor_page(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        form: dict[str, str],
        *,
        template: TemplateOut | None = None,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        wrong_line: tuple[int, str] | None = None,
        notice: str = "",
    ) -> Response[str]:
        return console_page(
            "template_edit.html",
            user.interface_lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            newsletter_template=template,
            form=form,
            errors=errors or {},
            wrong_line=wrong_line,
            notice=notice,
            placeholders=PLACEHOLDERS,
            langs=LANGS,
        )

    async def _save(
        self, request: AnyRequest, user: ConsoleUser, template: TemplateOut | None
    ) -> Response[Any]:
        texts = TEXTS[user.interface_lang]
        form = await _posted(request)
        if template is not None:
            form["slug"] = template.slug  # a template keeps its slug in the console
        errors = _field_errors(form, texts)
        wrong_line = None
        status_code = 422
        if not errors:
            try:
                if template is None:
                    saved = await template_store.create_template(_template_in(form))
                else:
                    saved = await template_store.change_template(str(template.id), _template_in(form))
            except Conflict:
                errors, status_code = {"slug": texts["tpl_slug_taken"]}, 409
            except Invalid as refused:
                field = refused.field if refused.field in FIELDS else "mjml"
                wrong_line = _wrong_line(form["mjml"], refused) if field == "mjml" else None
                errors = {field: texts["tpl_refused"].format(reason=refused.detail)}
            else:
                return Redirect(f"/console/templates/{saved.slug}?saved=1", status_code=303)
        return self._editor_page(
            request, user, form, template=template, status_code=status_code, errors=errors,
            wrong_line=wrong_line,
        )  # fmt: skip

    @get("/new")
    async def new_template(self, request: AnyRequest) -> Response[str]:
        user = await _editor(request)
        starting = await template_store.get_template("newsletter")
        form = {"slug": "", "name.ka": "", "name.en": "", "mjml": starting.mjml}
        return self._editor_page(request, user, form)

    @post("/new", status_code=303)
    async def create(self, request: AnyRequest) -> Response[Any]:
        user = await _editor(request)
        return await self._save(request, user, None)

    @get("/{slug:str}")
    async def template_page(self, request: AnyRequest, slug: FromPath[str]) -> Response[str]:
        user = await _editor(request)
        template = await _template(slug)
        notice = TEXTS[user.interface_lang]["tpl_saved"] if request.query_params.get("saved") else ""
        return self._editor_page(request, user, _form_of(template), template=template, notice=notice)

    @post("/{slug:str}", status_code=303)
    async def save(self, request: AnyRequest, slug: FromPath[str]) -> Response[Any]:
        user = await _editor(request)
        return await self._save(request, user, await _template(slug))

    @get("/{slug:str}/preview/{lang:str}")
    async def preview(self, request: AnyRequest, slug: FromPath[str], lang: FromPath[str]) -> Response[str]:
        user = await _editor(request)
        if lang not in LANGS:
            raise NotFoundException
        page = console_page(
            "template_preview.html",
            user.interface_lang,
            user=user,
            csrf_token=form_token(request),
            newsletter_template=await _template(slug),
            mail_lang=lang,
            langs=LANGS,
        )
        page.headers["Content-Security-Policy"] = PREVIEW_PAGE_POLICY
        return page

    @get("/{slug:str}/preview/{lang:str}/mail")
    async def preview_mail(
        self, request: AnyRequest, slug: FromPath[str], lang: FromPath[str]
    ) -> Response[str]:
        await _editor(request)
        if lang not in LANGS:
            raise NotFoundException
        template = await _template(slug)
        html = await template_store.template_mail_html(str(template.id), lang)
        return Response(html, media_type="text/html", headers=mail_headers(settings_of(request).public_url))
