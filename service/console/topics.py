"""The console's topics: the list with entry counts for staff, adding and renaming for editors."""

import re
from typing import Any, Final

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect

from accounts.console_sessions import ConsoleUser
from content.schemas import TopicIn
from content.topics import create_topic, get_topic, rename_topic, topics_with_counts
from core.errors import Conflict, Invalid, NotFound
from service.console.rendering import console_page
from service.console.session import form_token, signed_in
from service.console.texts import TEXTS

AnyRequest = Request[Any, Any, Any]
SLUG: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_FIELDS: Final = ("name.ka", "name.en")


async def _form(request: AnyRequest) -> dict[str, str]:
    form = await request.form()
    return {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}


async def _editor(request: AnyRequest) -> ConsoleUser:
    user = await signed_in(request)
    if not user.principal.has_role("editor"):
        raise PermissionDeniedException
    return user


def _name_errors(form: dict[str, str], texts: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in NAME_FIELDS:
        if not form.get(field):
            errors[field] = texts["topic_name_missing_" + field[-2:]]
        elif len(form[field]) > 200:
            errors[field] = texts["topic_name_long"]
    return errors


class TopicPagesController(Controller):
    """`/console/topics/` and `/console/topics/{slug}`."""

    path = "/console/topics"
    include_in_schema = False

    async def _list(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        notice: str = "",
    ) -> Response[str]:
        return console_page(
            "topics.html",
            user.interface_lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            topics=await topics_with_counts(),
            can_edit=user.principal.has_role("editor"),
            errors=errors or {},
            form=form or {},
            notice=notice,
        )

    @get("/")
    async def topic_list(self, request: AnyRequest) -> Response[str]:
        user = await signed_in(request)
        texts = TEXTS[user.interface_lang]
        notice = ""
        if request.query_params.get("added"):
            notice = texts["topic_added"].format(slug=request.query_params["added"][:100])
        elif request.query_params.get("renamed"):
            notice = texts["topic_renamed"].format(slug=request.query_params["renamed"][:100])
        return await self._list(request, user, notice=notice)

    @post("/", status_code=303)
    async def add_topic(self, request: AnyRequest) -> Response[Any]:
        user = await _editor(request)
        texts = TEXTS[user.interface_lang]
        form = await _form(request)
        slug = form.get("slug", "").lower()
        errors: dict[str, str] = {}
        if not SLUG.match(slug) or len(slug) > 100:
            errors["slug"] = texts["topic_slug_bad"]
        errors |= _name_errors(form, texts)
        if errors:
            return await self._list(request, user, status_code=422, errors=errors, form=form)
        names = {"ka": form["name.ka"], "en": form["name.en"]}
        data = msgspec.convert({"slug": slug, "name": names}, TopicIn)
        try:
            await create_topic(data)
        except Conflict:
            errors = {"slug": texts["topic_slug_taken"]}
            return await self._list(request, user, status_code=409, errors=errors, form=form)
        return Redirect(f"/console/topics/?added={slug}", status_code=303)

    @get("/{slug:str}")
    async def topic_page(self, request: AnyRequest, slug: FromPath[str]) -> Response[str]:
        user = await _editor(request)
        try:
            topic = await get_topic(slug)
        except NotFound:
            raise NotFoundException from None
        form = {"name.ka": topic.name["ka"], "name.en": topic.name["en"]}
        return self._rename_page(request, user, topic.slug, form)

    def _rename_page(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        slug: str,
        form: dict[str, str],
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
    ) -> Response[str]:
        return console_page(
            "topic.html",
            user.interface_lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            slug=slug,
            form=form,
            errors=errors or {},
        )

    @post("/{slug:str}", status_code=303)
    async def rename(self, request: AnyRequest, slug: FromPath[str]) -> Response[Any]:
        user = await _editor(request)
        texts = TEXTS[user.interface_lang]
        form = await _form(request)
        errors = _name_errors(form, texts)
        if not errors:
            try:
                await rename_topic(slug, {"ka": form["name.ka"], "en": form["name.en"]})
            except NotFound:
                raise NotFoundException from None
            except Invalid as invalid:  # the domain's own rules, should they grow past the form's
                errors = {invalid.field or "name.ka": invalid.detail}
        if errors:
            return self._rename_page(request, user, slug, form, status_code=422, errors=errors)
        return Redirect(f"/console/topics/?renamed={slug}", status_code=303)
