"""What a received newsletter shows: covers with alt text, the logo, Markdown turned into text, one
greeting, a clean preheader and the institution's official names (real SMTP server, mails parsed)."""

from dataclasses import replace
from email.message import EmailMessage
from urllib.parse import urlsplit

import lxml.html
import pytest

from content.institution import SECRETARIAT
from newsletters.preheader import preheader_text
from newsletters.tables import Campaign
from service.demo.content import CAMPAIGN_SLUG
from service.demo.loader import load_demo
from tests import media_files
from tests.conftest import Database
from tests.helpers import bilingual, create_published
from tests.newsletters.conftest import Inbox, Newsroom, newsroom_for
from tests.newsletters.test_campaigns import add_partners, draft, parts

LOGO = "https://newsroom.test/static/scmi-logo.png"
INTRO = {
    "ka": "გიზიარებთ კომისიის **უახლეს** ამბებს: [მიგრაციის პროფილი](https://migration.commission.ge/profile) "
    "და _სხდომის_ გადაწყვეტილებები. " + "ეს შესავალი გრძელია, რომ წინასიტყვაობა სიტყვაზე გაიჭრას. " * 3,
    "en": "Here is the Commission's **latest** work: [the Migration Profile](https://migration.commission.ge/profile) "
    "and the _sitting's_ decisions. " + "This intro runs long so that the preheader is cut at a word. " * 3,
}


def html_tree(message: EmailMessage) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(parts(message)[1])


def visible_preheader(tree: lxml.html.HtmlElement) -> str:
    """The text of MJML's hidden preview block, without its invisible padding."""
    [block] = tree.xpath("//body/div[contains(@style, 'display:none')]")
    return " ".join(block.text_content().replace("\u034f", "").replace("\u200c", "").split())


async def upload_cover(room: Newsroom, alt: dict[str, str] | None, height: int = 1000) -> str:
    uploaded = await room.client.post(
        "/api/v1/media",
        files={"file": ("cover.jpg", media_files.photo_with_gps(2000, height, orientation=1), "image/jpeg")},
        headers=room.admin,
    )
    assert uploaded.status_code in (200, 201), uploaded.text  # 200: the same bytes, already in the library
    asset_id: str = uploaded.json()["id"]
    if alt:
        patched = await room.client.patch(f"/api/v1/media/{asset_id}", json={"alt": alt}, headers=room.admin)
        assert patched.status_code == 200, patched.text
    return asset_id


async def send(room: Newsroom, campaign_id: str) -> None:
    sent = await room.post(f"/api/v1/campaigns/{campaign_id}/send", json={}, headers=room.admin)
    assert sent.status_code == 202, sent.text
    await room.run_jobs()


async def test_covers_show_a_sized_rendition_with_alt_text_in_each_language(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await add_partners(room)
    described = await upload_cover(room, {"ka": "კომისიის სხდომა", "en": "The Commission in session"})
    undescribed = await upload_cover(room, None, height=1500)
    await room.run_jobs()  # the renditions
    with_alt = await create_published(
        room.client, room.admin, body={**bilingual("სხდომა", "The sitting"), "cover_id": described}
    )
    without_alt = await create_published(
        room.client, room.admin, body={**bilingual("პროფილი", "The profile"), "cover_id": undescribed}
    )
    plain = await create_published(room.client, room.admin, body=bilingual("ანგარიში", "The report"))
    campaign = await draft(room, [with_alt["id"], without_alt["id"], plain["id"]])
    await send(room, campaign["id"])

    for address, alts in (
        ("nino@example.ge", ["კომისიის სხდომა", "პროფილი"]),
        ("john@example.org", ["The Commission in session", "The profile"]),
    ):
        [message] = inbox.to(address)
        images = html_tree(message).xpath("//img")
        assert [image.get("alt") for image in images] == alts  # the third entry has no cover
        for image in images:
            source = urlsplit(image.get("src"))
            assert (source.scheme, source.netloc) == ("https", "newsroom.test")  # absolute, ours
            assert "/renditions/" in source.path
            assert image.get("width") == "552"  # the mail's column
            assert image.get("height") in ("276", "414")  # 2:1 and 4:3 kept
            fetched = await room.client.get(source.path)
            assert fetched.status_code == 200
            assert fetched.headers["content-type"] == "image/jpeg"  # the upload's format: no WebP in mail


@pytest.mark.parametrize("logo", [LOGO, ""])
async def test_the_logo_shows_only_when_configured(
    settings: object, db: Database, smtp: tuple[Inbox, str], logo: str
) -> None:
    inbox, url = smtp
    async with newsroom_for(replace(settings, smtp_url=url, mail_logo_url=logo), db) as room:  # type: ignore[type-var]
        await add_partners(room)
        entry = await create_published(room.client, room.admin, body=bilingual("სიახლე", "A story"))
        campaign = await draft(room, [entry["id"]])
        await send(room, campaign["id"])
    for address, alt in (("nino@example.ge", "მიგრაციის"), ("john@example.org", "State Commission")):
        [message] = inbox.to(address)
        sources = [image.get("src") for image in html_tree(message).xpath("//img")]
        assert sources == ([LOGO] if logo else [])
        if logo:
            [image] = html_tree(message).xpath("//img")
            assert alt in image.get("alt")


async def test_markdown_becomes_html_and_clean_text_and_the_preheader_is_cut_at_a_word(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await add_partners(room)
    entry = await create_published(room.client, room.admin, body=bilingual("სიახლე", "A story"))
    campaign = await draft(room, [entry["id"]], intro=INTRO)
    await send(room, campaign["id"])
    for address, lang, bold, link_text in (
        ("nino@example.ge", "ka", "უახლეს", "მიგრაციის პროფილი"),
        ("john@example.org", "en", "latest", "the Migration Profile"),
    ):
        [message] = inbox.to(address)
        text, _ = parts(message)
        tree = html_tree(message)
        assert tree.xpath(f"//strong[normalize-space(text())='{bold}']")
        assert tree.xpath(
            f"//a[@href='https://migration.commission.ge/profile' and normalize-space(text())='{link_text}']"
        )
        for mark in ("**", "_", "]("):
            assert mark not in text.split("-- ")[0].replace("https://", ""), mark
        assert f"{link_text} (https://migration.commission.ge/profile)" in " ".join(text.split())
        shown = visible_preheader(tree)
        assert shown == preheader_text(INTRO[lang])
        assert shown.endswith("…") and len(shown) <= 111
        [intro] = tree.xpath(f"//p[strong[normalize-space(text())='{bold}']]")
        opening = " ".join(intro.text_content().split())
        assert opening.startswith(shown.rstrip("…"))  # the intro's opening words
        assert opening[len(shown.rstrip("…"))] in " .,"  # cut between words, not inside one
        assert "**" not in shown


async def test_the_demo_campaign_greets_once_with_official_names(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await load_demo(room.settings)
    for address, lang, name in (("nino@example.ge", "ka", "ნინო"), ("john@example.org", "en", "John")):
        body = {
            "email": address,
            "basis": "press accreditation",
            "lists": ["press"],
            "lang": lang,
            "name": name,
        }
        assert (await room.post("/api/v1/subscribers", json=body, headers=room.admin)).status_code == 201
    row = await Campaign.select(Campaign.id).where(Campaign.slug == CAMPAIGN_SLUG).first()
    assert row is not None
    await send(room, str(row["id"]))
    for address, lang, greeting in (
        ("nino@example.ge", "ka", "ძვირფასო"),
        ("john@example.org", "en", "Dear"),
    ):
        [message] = inbox.to(address)
        text, _ = parts(message)
        visible = html_tree(message).xpath("//body")[0].text_content()
        assert visible.count(greeting) == 1, visible
        assert text.count(greeting) == 1, text
        assert SECRETARIAT[lang] in visible and SECRETARIAT[lang] in text
        assert "სახელმწიფო კომისი" not in visible + text
        assert "of Georgia" not in visible + text
        for element in html_tree(message).xpath("//*[@src or @href]"):
            address_used = element.get("src") or element.get("href")
            if address_used.startswith("http"):
                assert urlsplit(address_used).netloc == "newsroom.test", address_used  # nothing third-party
