"""The console's campaign pages on both databases, mailing through a real SMTP server: compose, preview, send."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar import Litestar

from content.publishing import publish_entry
from content.schemas import PublishIn
from newsletters.consent import Origin
from newsletters.lists import create_list
from newsletters.subscriber_schemas import ListIn, ListNames, SubscriberIn
from newsletters.subscribers import add_subscriber
from service.app import create_app
from service.console.campaigns import PROGRESS_SCRIPT_PATH
from service.settings import Settings
from tasks.worker import build_worker
from tests.conftest import Database, running
from tests.newsletters.conftest import Inbox, smtp  # noqa: F401  (the real SMTP server fixture)
from tests.service.console.conftest import CSRF_FIELD, ConsoleClient
from tests.service.console.staff_pages import Person, sign_in_as, write

CAMPAIGN_PAGE = re.compile(r"/console/campaigns/([0-9a-f-]{36})\?saved=1$")
PERSONAL_LINKS = re.compile(r"/subscriptions/(unsubscribe|preferences)/[^\"]*")


@dataclass
class Room:
    """The app mailing through the test's SMTP server, a console client of it, and its worker's jobs."""

    app: Litestar
    console: ConsoleClient
    settings: Settings
    inbox: Inbox

    async def run_jobs(self) -> None:
        worker = build_worker(self.app.state.queue, self.settings, burst=True, handle_signals=False)
        await worker.main()

    async def post(self, page: str, action: str, fields: dict[str, Any]) -> httpx.Response:
        """GET `page`, then POST its form's token with `fields` (lists for repeated names) to `action`."""
        served = await self.console.get(page)
        match = CSRF_FIELD.search(served.text)
        assert match, f"no CSRF token on {page}: {served.status_code}"
        return await self.console.post(action, data={"_csrf_token": match.group(1), **fields})


@pytest.fixture
async def room(settings: Settings, db: Database, smtp: tuple[Inbox, str]) -> AsyncIterator[Room]:  # noqa: F811
    mailing = replace(settings, smtp_url=smtp[1])
    app = create_app(mailing)
    async with running(app):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 4000))
        async with ConsoleClient(transport=transport, base_url="https://newsroom.test") as client:
            yield Room(app=app, console=client, settings=mailing, inbox=smtp[0])
    db.bind()


async def audience() -> None:
    """Lists press and partners; one reader on each and one on both (three people, four places)."""
    await create_list(ListIn(slug="press", name=ListNames(ka="პრესა", en="Press")))
    await create_list(ListIn(slug="partners", name=ListNames(ka="პარტნიორები", en="Partners")))
    for address, lists, lang in (
        ("nino@example.org", ["press"], "ka"),
        ("anna@example.net", ["partners"], "en"),
        ("both@example.org", ["press", "partners"], "en"),
    ):
        await add_subscriber(
            SubscriberIn(email=address, basis="partnership agreement", lists=lists, lang=lang),
            secret_key="test-key",
            origin=Origin(source="test"),
        )


async def two_entries(editor: Person) -> list[UUID]:
    """Two published bilingual entries."""
    ids = []
    for en, ka in (("Seasonal work rules", "სეზონური სამუშაოს წესები"), ("Visa changes", "ვიზის ცვლილებები")):
        entry = await write("news", editor.actor, {"en": en, "ka": ka}, body="Text.")
        await publish_entry("news", entry, PublishIn(), editor.actor)
        ids.append(entry)
    return ids


def fields(entries: list[UUID], **extra: Any) -> dict[str, Any]:
    return {
        "template": "newsletter",
        "subject.ka": "სიახლეები",
        "subject.en": "Newsroom update",
        "intro.ka": "ამ კვირის ამბები.",
        "intro.en": "This week's stories.",
        "entries": [str(each) for each in entries],
        "lists": ["press", "partners"],
        "from_name": "SCMI",
        "from_address": "newsroom@newsroom.test",
        "action": "save",
        **extra,
    }


async def compose(room: Room, entries: list[UUID]) -> str:
    """A saved draft's id, composed in the console."""
    saved = await room.post("/console/campaigns/new", "/console/campaigns/new", fields(entries))
    assert saved.status_code == 303, saved.text
    found = CAMPAIGN_PAGE.search(saved.headers["location"])
    assert found, saved.headers["location"]
    return found.group(1)


def html_part(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")  # the mail's line ends, as the page's


async def test_an_editor_composes_previews_tests_and_sends_a_bilingual_campaign(room: Room) -> None:
    await audience()
    editor = await sign_in_as(room.console, "editor", lang="en")
    entries = await two_entries(editor)
    listing = await room.console.get("/console/campaigns/")
    assert listing.status_code == 200
    assert 'href="/console/campaigns/new"' in listing.text

    new = await room.console.get("/console/campaigns/new")
    assert new.status_code == 200
    assert "Seasonal work rules" in new.text and "Visa changes" in new.text
    assert new.text.count("2 active") == 2  # press and partners
    found = await room.console.get("/console/campaigns/new", params={"q": "visa"})
    assert "Visa changes" in found.text and "Seasonal work rules" not in found.text

    campaign = await compose(room, entries)
    page = await room.console.get(f"/console/campaigns/{campaign}?saved=1")
    assert "Draft saved." in page.text
    assert "reaches 3 people" in page.text  # each address once, though one is on both lists
    assert page.text.count('name="entries" value=') == 2
    assert page.text.count("checked") == 4  # two entries, two lists

    previews = {}
    for lang, title in (("ka", "ვიზის ცვლილებები"), ("en", "Visa changes")):
        preview = await room.console.get(f"/console/campaigns/{campaign}/preview/{lang}")
        assert preview.status_code == 200
        assert preview.text.count("<iframe") == 2
        assert preview.text.count(f'sandbox src="/console/campaigns/{campaign}/preview/{lang}/mail"') == 2
        assert "frame-src 'self'" in preview.headers["content-security-policy"]
        mail = await room.console.get(f"/console/campaigns/{campaign}/preview/{lang}/mail")
        assert mail.status_code == 200
        assert "sandbox" in mail.headers["content-security-policy"]
        assert "script-src" not in mail.headers["content-security-policy"]
        assert title in mail.text
        previews[lang] = mail.text

    tested = await room.post(
        f"/console/campaigns/{campaign}",
        f"/console/campaigns/{campaign}/test",
        {"addresses": "tester@example.org", "lang": "en"},
    )
    assert tested.status_code == 303
    assert "Test mail queued for 1 addresses." in (await room.console.get(tested.headers["location"])).text
    await room.run_jobs()
    [test_mail] = room.inbox.to("tester@example.org")
    assert test_mail["Subject"] == "[TEST] Newsroom update"

    sent = await room.post(
        f"/console/campaigns/{campaign}", f"/console/campaigns/{campaign}/send", {"action": "send"}
    )
    assert sent.status_code == 303
    progress = await room.console.get(f"/console/campaigns/{campaign}")
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in progress.text
    assert 'data-refresh="5"' in progress.text
    assert "script-src 'self'" in progress.headers["content-security-policy"]
    assert f'<script src="{PROGRESS_SCRIPT_PATH}" defer></script>' in progress.text
    script = await room.console.get(PROGRESS_SCRIPT_PATH)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "immutable" in script.headers["cache-control"]
    assert "Status: Scheduled" in progress.text or "Status: Sending" in progress.text
    await room.run_jobs()
    done = await room.console.get(f"/console/campaigns/{campaign}")
    assert "Status: Sent" in done.text
    assert '<dd id="count-sent">3</dd>' in done.text
    assert '<dd id="count-pending">0</dd>' in done.text
    assert 'http-equiv="refresh"' not in done.text
    slug = re.search(r"<code>([a-z0-9-]+)</code>", done.text)
    assert slug
    assert f"/newsletters/en/{slug.group(1)}" in done.text
    assert f"/newsletters/ka/{slug.group(1)}" in done.text

    # What each reader received is the preview of their language, but for their own links.
    for address, lang in (("nino@example.org", "ka"), ("anna@example.net", "en"), ("both@example.org", "en")):
        [received] = room.inbox.to(address)
        assert PERSONAL_LINKS.sub("", html_part(received)) == PERSONAL_LINKS.sub("", previews[lang])

    refused = await room.post(
        f"/console/campaigns/{campaign}", f"/console/campaigns/{campaign}/status", {"action": "pause"}
    )
    assert refused.status_code == 409
    assert '<a href="#actions">The campaign cannot be paused: it is sent.</a>' in refused.text
    listed = await room.console.get("/console/campaigns/")
    assert "Newsroom update" in listed.text and "<td>Sent</td>" in listed.text


async def test_wrong_states_and_bad_input_answer_the_form_with_an_error(room: Room) -> None:
    await audience()
    editor = await sign_in_as(room.console, "editor", lang="en")
    entries = await two_entries(editor)
    bad = await room.post(
        "/console/campaigns/new", "/console/campaigns/new", fields(entries, **{"subject.ka": "", "lists": []})
    )
    assert bad.status_code == 422
    assert '<a href="#subject.ka">Enter the subject in Georgian.</a>' in bad.text
    assert '<a href="#lists">Choose at least one list.</a>' in bad.text
    assert 'value="Newsroom update"' in bad.text  # what was typed stays
    sender = await room.post(
        "/console/campaigns/new", "/console/campaigns/new", fields(entries, from_address="not an address")
    )
    assert sender.status_code == 422
    assert '<a href="#from_address">Enter a valid email address.</a>' in sender.text
    assert "<td>" not in (await room.console.get("/console/campaigns/")).text  # nothing half-written

    campaign = await compose(room, entries)
    page = f"/console/campaigns/{campaign}"
    status = f"{page}/status"
    resume = await room.post(page, status, {"action": "resume"})
    assert resume.status_code == 409
    assert "The campaign cannot be resumed: it is draft." in resume.text
    no_addresses = await room.post(page, f"{page}/test", {"addresses": "nobody"})
    assert no_addresses.status_code == 422
    assert '<a href="#addresses">One of the addresses is not valid.</a>' in no_addresses.text
    past = await room.post(page, f"{page}/send", {"action": "schedule", "send_at": "2020-01-01T10:00"})
    assert past.status_code == 422
    assert '<a href="#send_at">' in past.text

    later = await room.post(page, f"{page}/send", {"action": "schedule", "send_at": "2099-05-01T10:00"})
    assert later.status_code == 303
    scheduled = await room.console.get(page)
    assert "Status: Scheduled" in scheduled.text
    assert "2099-05-01 10:00 (Tbilisi time)" in scheduled.text
    changed = await room.post(page, page, fields(entries, **{"subject.en": "Changed"}))
    assert changed.status_code == 409
    assert "no longer a draft" in changed.text
    assert (await room.post(page, status, {"action": "pause"})).status_code == 303
    assert "Status: Paused" in (await room.console.get(page)).text
    again = await room.post(page, status, {"action": "pause"})
    assert again.status_code == 409
    assert '<a href="#actions">The campaign cannot be paused: it is paused.</a>' in again.text
    assert (await room.post(page, status, {"action": "resume"})).status_code == 303
    assert "Status: Scheduled" in (await room.console.get(page)).text
    assert (await room.post(page, status, {"action": "cancel"})).status_code == 303
    cancelled = await room.console.get(page)
    assert "Status: Cancelled" in cancelled.text
    assert 'name="action" value="resume"' not in cancelled.text
    assert (await room.post(page, status, {"action": "resume"})).status_code == 409
    assert room.inbox.messages == []


async def test_an_author_is_refused_every_campaign_page(room: Room) -> None:
    await audience()
    editor = await sign_in_as(room.console, "editor", lang="en")
    campaign = await compose(room, await two_entries(editor))
    await sign_in_as(room.console, "author", lang="en")
    assert "/console/campaigns/" not in (await room.console.get("/console/")).text  # not in the menu
    for path in (
        "/console/campaigns/",
        "/console/campaigns/new",
        f"/console/campaigns/{campaign}",
        f"/console/campaigns/{campaign}/preview/en",
        f"/console/campaigns/{campaign}/preview/en/mail",
    ):
        refused = await room.console.get(path)
        assert refused.status_code == 403, path
        assert "<!doctype html>" in refused.text
    for action, body in (
        ("/console/campaigns/new", fields([])),
        (f"/console/campaigns/{campaign}/send", {"action": "send"}),
        (f"/console/campaigns/{campaign}/status", {"action": "cancel"}),
        (f"/console/campaigns/{campaign}/test", {"addresses": "a@example.org"}),
    ):
        assert (await room.post("/console/", action, body)).status_code == 403, action
    await sign_in_as(room.console, "editor", lang="en", name="Second Editor")
    assert "Status: Draft" in (await room.console.get(f"/console/campaigns/{campaign}")).text
