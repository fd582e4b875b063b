"""Newsletter templates for editors: `/api/v1/templates`."""

from typing import Annotated, Literal

from litestar import Controller, get, post, put
from litestar.params import Body, FromPath, QueryParameter

from newsletters import template_store
from newsletters.campaign_schemas import PreviewOut, TemplateIn, TemplateOut
from service.auth import requires


class TemplateController(Controller):
    """`/api/v1/templates`: editors list, save, change and preview MJML templates."""

    path = "/api/v1/templates"
    tags = ["templates"]
    guards = [requires("editor")]

    @get("/", summary="Every template (the defaults are seeded on first use)")
    async def list_templates(self) -> list[TemplateOut]:
        return await template_store.list_templates()

    @post("/", summary="Save a template", description="422 names the line of a template that is wrong.")
    async def create_template(self, data: Annotated[TemplateIn, Body()]) -> TemplateOut:
        return await template_store.create_template(data)

    @get("/{ref:str}", summary="One template, by slug or id")
    async def get_template(self, ref: FromPath[str]) -> TemplateOut:
        return await template_store.get_template(ref)

    @put("/{ref:str}", summary="Replace a template", description="422 names the line that is wrong.")
    async def change_template(self, ref: FromPath[str], data: Annotated[TemplateIn, Body()]) -> TemplateOut:
        return await template_store.change_template(ref, data)

    @post("/{ref:str}/preview", summary="Render a template with sample data", status_code=200)
    async def preview_template(
        self,
        ref: FromPath[str],
        lang: Annotated[Literal["ka", "en"], QueryParameter(description="language of the sample")] = "ka",
    ) -> PreviewOut:
        return await template_store.preview_template(ref, lang)
