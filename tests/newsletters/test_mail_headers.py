"""Headers of every kind of mail, read from what a real SMTP server received; the confirmation's HTML in Chromium."""

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from email.message import EmailMessage
from email.utils import parseaddr

import pytest

from service.settings import Settings
from tests.accessibility import axe_violations, describe
from tests.conftest import Database
from tests.helpers import bilingual, create_published
from tests.newsletters.conftest import Inbox, Newsroom, confirm_link, newsroom_for
from tests.newsletters.reader import reader
from tests.newsletters.test_campaigns import draft

MAIL_FROM = "SCMI Secretariat <newsroom@scmi-mail.test>"
DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")


@pytest.fixture
async def room(settings: Settings, db: Database, smtp: tuple[Inbox, str]) -> AsyncIterator[Newsroom]:
    async with newsroom_for(replace(settings, smtp_url=smtp[1], mail_from=MAIL_FROM), db) as newsroom:
        yield newsroom


def raw_header(message: EmailMessage, name: str) -> str:
    """A header's value as it travelled, before any RFC 2047 decoding."""
    [value] = [value for key, value in message.raw_items() if key.lower() == name.lower()]
    return str(value)


def assert_clean_headers(message: EmailMessage) -> None:
    domain = parseaddr(MAIL_FROM)[1].rpartition("@")[2]
    assert re.fullmatch(rf"<[^@<>\s]+@{re.escape(domain)}>", message["Message-ID"]), message["Message-ID"]
    assert DATE.match(raw_header(message, "Date")), raw_header(message, "Date")
    subject = raw_header(message, "Subject")
    if str(message["Subject"]).isascii():
        assert "=?" not in subject, subject
    else:
        assert subject.isascii() and "=?utf-8?" in subject.lower(), subject


async def add_reader(room: Newsroom, address: str, lang: str, lists: list[str]) -> None:
    body = {"email": address, "basis": "partnership agreement", "lists": lists, "lang": lang, "name": "N"}
    response = await room.post("/api/v1/subscribers", json=body, headers=room.admin)
    assert response.status_code == 201, response.text


async def send(room: Newsroom, inbox: Inbox, lists: list[str], subject: dict[str, str]) -> list[EmailMessage]:
    entry = await create_published(room.client, room.admin, body=bilingual())
    campaign = await draft(
        room, [entry["id"]], lists=lists, subject=subject, from_address=parseaddr(MAIL_FROM)[1]
    )
    before = len(inbox.messages)
    tested = await room.post(
        f"/api/v1/campaigns/{campaign['id']}/test",
        json={"addresses": ["editor@scmi-mail.test"]},
        headers=room.admin,
    )
    assert tested.status_code == 202, tested.text
    sent = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
    assert sent.status_code == 202, sent.text
    await room.run_jobs()
    return inbox.messages[before:]


async def test_campaign_and_test_mail_headers_and_list_ids(room: Newsroom, smtp: tuple[Inbox, str]) -> None:
    inbox = smtp[0]
    await add_reader(room, "ka@example.ge", "ka", ["partners", "press"])
    await add_reader(room, "en@example.org", "en", ["partners", "press"])
    ascii_subject = {"ka": "ნოემბრის სიახლეები", "en": "November news of the Commission and its Secretariat, "
                     "with a subject long enough to be folded over two lines"}  # fmt: skip
    both = await send(room, inbox, ["partners", "press"], ascii_subject)
    reversed_order = await send(room, inbox, ["press", "partners"], {"ka": "ა", "en": "B"})
    alone = await send(room, inbox, ["partners"], {"ka": "ა", "en": "C"})

    for mails in (both, reversed_order, alone):
        assert len(mails) == 3  # a test mail and one mail to each reader
        kinds = {message["X-SCMI-Test"] or message["Content-Language"] for message in mails}
        assert kinds == {"yes", "ka", "en"}
        for message in mails:
            assert_clean_headers(message)
    english = next(m for m in both if m["Content-Language"] == "en" and not m["X-SCMI-Test"])
    assert str(english["Subject"]) == ascii_subject["en"]
    assert "=?" not in raw_header(english, "Subject")
    list_ids = [
        {m["List-Id"].rsplit("<", 1)[1] for m in mails if not m["X-SCMI-Test"]}
        for mails in (both, reversed_order, alone)
    ]
    assert all(len(ids) == 1 for ids in list_ids)
    assert list_ids[0] == list_ids[1]  # the same lists in another order: the same List-Id
    assert list_ids[0] != list_ids[2]  # another set of lists: another List-Id


@pytest.mark.parametrize("lang", ["ka", "en"])
async def test_the_confirmation_mail_has_clean_headers_and_an_accessible_html_part(
    room: Newsroom, smtp: tuple[Inbox, str], lang: str
) -> None:
    inbox = smtp[0]
    response = await room.subscribe("reader@example.org", ["press"], lang=lang, name="ნინო")
    assert response.status_code in {200, 201, 202}, response.text
    await room.run_jobs()
    [message] = inbox.to("reader@example.org")
    assert_clean_headers(message)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Content-Language"] == lang
    link = confirm_link(message)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None and html_part["Content-Transfer-Encoding"] == "quoted-printable"
    html = html_part.get_content()
    assert not re.search(r"""(src|srcset)=|<link|url\(|@import""", html), "a remote asset in the confirmation"
    async with reader() as page:
        await page.set_viewport_size({"width": 375, "height": 800})
        await page.set_content(html, wait_until="load")
        assert await page.evaluate("document.documentElement.lang") == lang
        button = page.locator(f'a[href="{link}"]').first
        assert await button.is_visible()
        words = {"ka": "დადასტურება", "en": "Confirm"}[lang]
        assert words in await button.inner_text()
        violations = await axe_violations(page)
        assert violations == [], describe(violations)
