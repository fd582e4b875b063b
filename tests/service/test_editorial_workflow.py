"""The editorial workflow end to end, as new staff would try it in the console, with real mail.

An author writes a bilingual draft and submits it; the editor is mailed (a real SMTP server) and asks
for a change; the author fixes the English; the Georgian shows as outdated until it is edited; the
editor publishes with `unpublish_at` two minutes ahead; the cron's expiry step, run at the clock times
it would see, takes the entry off every public place on time (not before).
"""

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar import Litestar

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from accounts.staff import issue_token
from content.publishing import publish_due_entries, unpublish_due_entries
from core.db import as_utc, utcnow
from service.app import create_app
from service.console.rendering import TBILISI
from service.console.session import SESSION_COOKIE
from service.settings import Settings
from tasks.worker import build_worker
from tests.conftest import Database, running
from tests.newsletters.conftest import Inbox
from tests.private_servers import smtp_server
from tests.service.console.conftest import ConsoleClient

KA = {"title": "მიგრაციის სტრატეგიის განხილვა", "summary": "კომისიამ სტრატეგია განიხილა", "body": "ტექსტი."}
EN = {"title": "The migration strategy discussed", "summary": "The Commission met", "body": "Text."}
FIXED_EN_TITLE = "The Commission discussed the migration strategy"
REVISION = re.compile(r'name="revision" value="(\d+)"')
CREATED = re.compile(r"^/console/news/([0-9a-f-]{36})\?done=save$")


@dataclass
class Office:
    """The app mailing through the test's SMTP server, a console client, and a reader without a session."""

    app: Litestar
    settings: Settings
    console: ConsoleClient
    public: httpx.AsyncClient
    sessions: dict[str, str]
    editor_token: dict[str, str]

    async def as_person(self, who: str) -> None:
        self.console.cookies.set(SESSION_COOKIE, self.sessions[who], domain="newsroom.test", path="/console")

    async def run_jobs(self) -> None:
        worker = build_worker(self.app.state.queue, self.settings, burst=True, handle_signals=False)
        await worker.main()
        await worker.close()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    """A real SMTP server on a free loopback port (as the newsletters tests start one)."""
    inbox = Inbox()
    with smtp_server(inbox, enable_SMTPUTF8=True) as url:
        yield inbox, url


@pytest.fixture
async def office(settings: Settings, db: Database, smtp: tuple[Inbox, str]) -> AsyncIterator[Office]:
    mailing = replace(settings, smtp_url=smtp[1])
    app = create_app(mailing)
    sessions, tokens = {}, {}
    for who, role, lang in (("author", "author", "en"), ("editor", "editor", "ka")):
        invited = await invite_staff(f"{who}@scmi.test", role, who.title(), lang=lang)
        sessions[who] = await start_session(invited.staff_id, stage="signed_in")
        tokens[who] = {"Authorization": f"Bearer {(await issue_token(invited.staff_id, 'test')).token}"}
    async with running(app):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 4000))
        async with (
            ConsoleClient(transport=transport, base_url="https://newsroom.test") as console,
            httpx.AsyncClient(transport=transport, base_url="https://newsroom.test") as public,
        ):
            yield Office(app, mailing, console, public, sessions, tokens["editor"])
    db.bind()


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def _fields(ka: dict[str, str], en: dict[str, str], page: str, **extra: str) -> dict[str, str]:
    found = REVISION.search(page)
    assert found, "the editor carries the revision it was opened at"
    texts = {f"ka.{name}": value for name, value in ka.items()} | {
        f"en.{name}": value for name, value in en.items()
    }
    return {**texts, "revision": found.group(1), **extra}


async def _staff_view(office: Office, entry_id: UUID) -> dict[str, Any]:
    """The entry as the API answers staff (with the editor's API token; a console session is not one)."""
    answer = await office.public.get(f"/api/v1/news/{entry_id}", headers=office.editor_token)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def _public_places(office: Office, slugs: dict[str, str]) -> dict[str, bool]:
    """Where the public finds the entry: API lists and reads, feeds, search, reading pages, sitemap."""
    get = office.public.get
    seen: dict[str, bool] = {}
    for lang, slug in slugs.items():
        title = KA["title"] if lang == "ka" else FIXED_EN_TITLE
        listed = (await get("/api/v1/news", params={"lang": lang})).json()["items"]
        seen[f"list {lang}"] = any(item["slug"] == slug for item in listed)
        seen[f"entry {lang}"] = (await get(f"/api/v1/news/{slug}")).status_code == 200
        for feed in ("news.rss", "news.atom", "all.json"):
            seen[f"feed {lang} {feed}"] = title in (await get(f"/feeds/{lang}/{feed}")).text
        hits = (await get("/api/v1/search", params={"q": title.split()[1], "lang": lang})).json()["items"]
        seen[f"search {lang}"] = any(hit["slug"] == slug for hit in hits)
        seen[f"page {lang}"] = (await get(f"/{lang}/news/{slug}")).status_code == 200
        seen[f"sitemap {lang}"] = slug in (await get("/sitemap.xml")).text
    return seen


async def test_a_bilingual_draft_from_submission_to_expiry(office: Office, smtp: tuple[Inbox, str]) -> None:
    inbox, _ = smtp
    console = office.console

    # The author writes both languages and submits the draft with a note.
    await office.as_person("author")
    created = await console.submit(
        "/console/news/new",
        "/console/news/new",
        {**{f"ka.{k}": v for k, v in KA.items()}, **{f"en.{k}": v for k, v in EN.items()}, "action": "save"},
    )
    assert created.status_code == 303, created.text[:2000]
    found = CREATED.match(created.headers["location"])
    assert found, created.headers["location"]
    entry_id = UUID(found.group(1))
    page = f"/console/news/{entry_id}"
    submitted = await console.submit(page, f"{page}/review", {"action": "submit", "note": "Ready for a look"})
    assert submitted.status_code == 303

    # The editor is mailed in Georgian, with the link to the console page.
    await office.run_jobs()
    (to_editor,) = inbox.to("editor@scmi.test")
    assert to_editor["Subject"] == f"განსახილველად: {KA['title']}" and to_editor["Content-Language"] == "ka"
    link = f"https://newsroom.test{page}"
    assert link in _text(to_editor) and "Ready for a look" in _text(to_editor)

    # The editor opens the link and asks for a change.
    await office.as_person("editor")
    opened = await console.get(link.removeprefix("https://newsroom.test"))
    assert opened.status_code == 200 and 'value="request_changes"' in opened.text
    sent_back = await console.submit(
        page, f"{page}/review", {"action": "request_changes", "note": "Please make the English title clearer"}
    )
    assert sent_back.status_code == 303
    await office.run_jobs()
    (to_author,) = inbox.to("author@scmi.test")
    assert to_author["Subject"] == f"Changes requested: {EN['title']}"  # the author reads English
    assert "Please make the English title clearer" in _text(to_author) and link in _text(to_author)

    # The author fixes the English: the Georgian is now shown as outdated, in the editor and the lists.
    await office.as_person("author")
    editor_page = (await console.get(page)).text
    fixed_en = {**EN, "title": FIXED_EN_TITLE}
    fixed = await console.submit(page, page, _fields(KA, fixed_en, editor_page, action="save"))
    assert fixed.status_code == 303, fixed.text[:2000]
    editor_page = (await console.get(page)).text
    assert 'class="language" lang="ka">' in editor_page
    ka_column = editor_page.split('<fieldset class="language" lang="ka">')[1].split("</fieldset>")[0]
    en_column = editor_page.split('<fieldset class="language" lang="en">')[1].split("</fieldset>")[0]
    assert "Translation outdated" in ka_column and "Translation outdated" not in en_column
    sources = (await _staff_view(office, entry_id))["sources"]
    assert (sources["ka"]["outdated"], sources["en"]["outdated"]) == (True, False)
    await office.as_person("editor")
    assert str(entry_id) in (await console.get("/console/news/?outdated=ka")).text

    # ... until the Georgian is edited; then the author submits again.
    await office.as_person("author")
    fixed_ka = {**KA, "summary": "კომისიამ მიგრაციის სტრატეგია განიხილა"}
    edited = await console.submit(page, page, _fields(fixed_ka, fixed_en, editor_page, action="save"))
    assert edited.status_code == 303, edited.text[:2000]
    assert "Translation outdated" not in (await console.get(page)).text
    sources = (await _staff_view(office, entry_id))["sources"]
    assert (sources["ka"]["outdated"], sources["en"]["outdated"]) == (False, False)
    assert (await console.submit(page, f"{page}/review", {"action": "submit"})).status_code == 303

    # The editor publishes with unpublish_at two minutes ahead (typed in Tbilisi time, to the minute).
    await office.as_person("editor")
    closes_typed = (utcnow() + timedelta(minutes=2)).astimezone(TBILISI).strftime("%Y-%m-%dT%H:%M")
    editor_page = (await console.get(page)).text
    published = await console.submit(
        page, page, _fields(fixed_ka, fixed_en, editor_page, action="publish", unpublish_at=closes_typed)
    )
    assert published.status_code == 303, published.text[:2000]
    shown = await _staff_view(office, entry_id)
    assert shown["status"] == "published"
    closes = as_utc(datetime.fromisoformat(shown["unpublish_at"]))
    assert closes is not None and timedelta(minutes=1) <= closes - utcnow() <= timedelta(minutes=2)
    slugs = {lang: source["slug"] for lang, source in shown["sources"].items()}

    everywhere = await _public_places(office, slugs)
    assert all(everywhere.values()), everywhere

    # The cron's step (every 15 s) a second before the time leaves it be; the first run after takes it.
    assert await publish_due_entries(closes - timedelta(seconds=1)) == []
    assert await unpublish_due_entries(closes - timedelta(seconds=1)) == []
    assert all((await _public_places(office, slugs)).values())
    assert await unpublish_due_entries(closes + timedelta(seconds=15)) == [entry_id]
    nowhere = await _public_places(office, slugs)
    assert not any(nowhere.values()), nowhere
    after = await _staff_view(office, entry_id)
    assert (after["status"], after["unpublish_at"]) == ("draft", None)
