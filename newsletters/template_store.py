"""Saved newsletter templates: validated on save, the defaults seeded on first use."""

from typing import Any
from uuid import UUID

from core.db import utcnow, write_transaction
from core.errors import Conflict, Invalid, NotFound
from newsletters.campaign_schemas import PreviewOut, TemplateIn, TemplateOut
from newsletters.rendering import (
    preview,
    sample_content,
    sample_mail_html,
    sample_personal,
    template_context,
)
from newsletters.tables import Template
from newsletters.templates import default_templates, validate_template

LANGS = ("ka", "en")


def _out(row: dict[str, Any]) -> TemplateOut:
    return TemplateOut(
        id=row["id"],
        slug=row["slug"],
        name={"ka": row["name_ka"], "en": row["name_en"]},
        mjml=row["mjml"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def check(data: TemplateIn) -> None:
    """Refuse a template that does not render in both languages."""
    if not data.slug or len(data.slug) > 100 or not data.slug.replace("-", "").isalnum():
        raise Invalid("a slug is letters, digits and hyphens", field="slug")
    if not all(data.name.get(lang, "").strip() for lang in LANGS):
        raise Invalid("a template needs a name in ka and en", field="name")
    for lang in LANGS:
        validate_template(data.mjml, template_context(sample_content(lang), sample_personal(lang)))


async def ensure_defaults() -> None:
    """Seed the shipped templates once (a slug already present is left as staff edited it)."""
    if await Template.exists().where(Template.slug == "newsletter"):
        return
    now = utcnow()
    async with write_transaction(Template):
        for template in default_templates():
            if not await Template.exists().where(Template.slug == template.slug):
                await Template.insert(
                    Template(
                        slug=template.slug,
                        name_ka=template.name["ka"],
                        name_en=template.name["en"],
                        mjml=template.mjml,
                        created_at=now,
                        updated_at=now,
                    )
                )


async def list_templates() -> list[TemplateOut]:
    """Every template, by slug."""
    await ensure_defaults()
    return [_out(row) for row in await Template.select().order_by(Template.slug)]


async def template_row(ref: str) -> dict[str, Any]:
    """A template by slug or id."""
    await ensure_defaults()
    row = await Template.select().where(Template.slug == ref).first()
    if row is None:
        try:
            identity = UUID(ref)
        except ValueError:
            identity = None
        if identity is not None:
            row = await Template.select().where(Template.id == identity).first()
    if row is None:
        raise NotFound(f"no template {ref!r}")
    return row


async def get_template(ref: str) -> TemplateOut:
    """One template."""
    return _out(await template_row(ref))


async def create_template(data: TemplateIn) -> TemplateOut:
    """Save a new template after validating it."""
    check(data)
    await ensure_defaults()
    now = utcnow()
    async with write_transaction(Template):
        if await Template.exists().where(Template.slug == data.slug):
            raise Conflict(f"a template {data.slug!r} exists")
        row = Template(
            slug=data.slug, name_ka=data.name["ka"], name_en=data.name["en"], mjml=data.mjml,
            created_at=now, updated_at=now,
        )  # fmt: skip
        await row.save()
    return await get_template(data.slug)


async def change_template(ref: str, data: TemplateIn) -> TemplateOut:
    """Replace a template's names and MJML after validating them."""
    check(data)
    row = await template_row(ref)
    async with write_transaction(Template):
        await Template.update(
            {
                Template.slug: data.slug,
                Template.name_ka: data.name["ka"],
                Template.name_en: data.name["en"],
                Template.mjml: data.mjml,
                Template.updated_at: utcnow(),
            }
        ).where(Template.id == row["id"])
    return await get_template(data.slug)


async def preview_template(ref: str, lang: str) -> PreviewOut:
    """A template rendered with sample data in a language."""
    if lang not in LANGS:
        raise Invalid("lang is ka or en", field="lang")
    html, text = preview((await template_row(ref))["mjml"], lang)
    return PreviewOut(lang=lang, html=html, text=text)


async def template_mail_html(ref: str, lang: str) -> str:
    """A saved template's HTML part in `lang` exactly as a sample reader would be mailed it."""
    if lang not in LANGS:
        raise Invalid("lang is ka or en", field="lang")
    return sample_mail_html((await template_row(ref))["mjml"], lang)
