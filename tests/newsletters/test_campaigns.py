"""Campaigns end to end: a real SMTP server started by the test receives them; every mail is parsed."""

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from newsletters.rendering import LABELS
from newsletters.suppression import recipients
from newsletters.tables import Campaign
from tasks.campaigns import reconcile_campaigns, weekly_digest
from tasks.context import job_context
from tests.helpers import bilingual, create_published
from tests.newsletters.conftest import Inbox, Newsroom

PEOPLE = [
    ("nino@example.ge", "ka", "ნინო ბერიძე"),
    ("john@example.org", "en", "John Smith"),
]


async def add_partners(room: Newsroom, people: list[tuple[str, str, str]] = PEOPLE) -> None:
    for address, lang, name in people:
        body = {
            "email": address,
            "basis": "partnership agreement",
            "lists": ["partners"],
            "lang": lang,
            "name": name,
        }
        response = await room.post("/api/v1/subscribers", json=body, headers=room.admin)
        assert response.status_code == 201, response.text


async def draft(room: Newsroom, entries: list[str], **extra: Any) -> dict[str, Any]:
    body = {
        "template": "newsletter",
        "subject": {"ka": "ნოემბრის სიახლეები", "en": "November news"},
        "intro": {"ka": "კომისიის **ახალი** ამბები.", "en": "The Commission's **latest** news."},
        "entries": entries,
        "lists": ["partners"],
        "from_name": "კომისიის სამდივნო",
        "from_address": "newsroom@newsroom.test",
        "reply_to": "press@newsroom.test",
        **extra,
    }
    response = await room.post("/api/v1/campaigns", json=body, headers=room.admin)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def campaign_state(room: Newsroom, campaign_id: str) -> dict[str, Any]:
    response = await room.client.get(f"/api/v1/campaigns/{campaign_id}", headers=room.admin)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


async def test_a_bilingual_campaign_is_tested_sent_received_and_unsubscribed_from(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await add_partners(room)
    first = await create_published(room.client, room.admin, body=bilingual("პირველი სიახლე", "First story"))
    second = await create_published(room.client, room.admin, body=bilingual("მეორე სიახლე", "Second story"))
    campaign = await draft(room, [first["id"], second["id"]])
    assert campaign["status"] == "draft"

    tested = await room.post(
        f"/api/v1/campaigns/{campaign['id']}/test",
        json={"addresses": ["editor@newsroom.test"], "lang": "en"},
        headers=room.admin,
    )
    assert tested.status_code == 202, tested.text
    await room.run_jobs()
    [test_mail] = inbox.to("editor@newsroom.test")
    assert test_mail["Subject"] == "[TEST] November news"
    assert test_mail["X-SCMI-Test"] == "yes"
    assert "Second story" in parts(test_mail)[0]
    assert (await campaign_state(room, campaign["id"]))["counts"]["recipients"] == 0

    sent = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
    assert sent.status_code == 202, sent.text
    await room.run_jobs()
    state = await campaign_state(room, campaign["id"])
    assert state["status"] == "sent", state
    assert state["counts"] == {
        "recipients": 2,
        "sent": 2,
        "failed": 0,
        "bounced": 0,
        "pending": 0,
        "skipped": 0,
        "complained": 0,
    }

    [georgian] = inbox.to("nino@example.ge")
    [english] = inbox.to("john@example.org")
    assert georgian["Subject"] == "ნოემბრის სიახლეები"
    assert english["Subject"] == "November news"
    assert georgian["From"].addresses[0].display_name == "კომისიის სამდივნო"
    assert georgian["From"].addresses[0].addr_spec == "newsroom@newsroom.test"
    assert georgian["To"].addresses[0].display_name == "ნინო ბერიძე"
    assert english["Reply-To"] == "press@newsroom.test"
    message_ids = set()
    for message, lang in ((georgian, "ka"), (english, "en")):
        assert message["Date"] is not None
        assert message["Message-ID"].endswith("@newsroom.test>")
        message_ids.add(message["Message-ID"])
        assert message["List-Id"].endswith("<partners.newsroom.test>")
        assert message["List-Unsubscribe"].startswith("<https://newsroom.test/subscriptions/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Content-Language"] == lang
        assert "X-SCMI-Test" not in message
        text, html = parts(message)
        link = message["List-Unsubscribe"].strip("<>")
        assert link in text and link in html  # the visible unsubscribe link, in both parts
        assert "[[scmi-" not in text and "[[scmi-" not in html
    assert len(message_ids) == 2
    ka_text, ka_html = parts(georgian)
    en_text, en_html = parts(english)
    assert "პირველი სიახლე" in ka_text and "მეორე სიახლე" in ka_html and "ძვირფასო ნინო ბერიძე" in ka_text
    assert "First story" in en_text and "Second story" in en_html and "Dear John Smith" in en_text
    assert "First story" not in ka_text and "პირველი" not in en_text
    assert "https://newsroom.test/" in en_text  # entry links kept in the plain text

    # One click from the received mail (RFC 8058), as a mail client does it.
    link = urlsplit(english["List-Unsubscribe"].strip("<>"))
    clicked = await room.client.post(
        link.path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200, clicked.text
    assert [person.email async for person in recipients(["partners"])] == ["nino@example.ge"]


async def test_a_sent_campaign_is_in_the_public_archive_and_its_feed_without_personal_data(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await add_partners(room)
    entry = await create_published(room.client, room.admin, body=bilingual("არქივის სიახლე", "Archive story"))
    room.app.state.feeds.cache.watch.recheck_seconds = 0.0  # ask for the content version on every request
    empty_feed = await room.client.get("/feeds/en/newsletters.rss")
    assert empty_feed.status_code == 200 and "November news" not in empty_feed.text
    campaign = await draft(room, [entry["id"]])
    assert (await room.client.get(f"/newsletters/en/{campaign['slug']}")).status_code == 404  # not sent yet
    await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
    await room.run_jobs()
    [mail] = inbox.to("john@example.org")
    token = mail["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]

    index = await room.client.get("/newsletters/en/", headers={"Accept": "application/json"})
    assert index.status_code == 200, index.text
    [item] = index.json()
    assert item["subject"] == "November news"
    assert item["url"] == f"https://newsroom.test/newsletters/en/{campaign['slug']}"
    assert [e["title"] for e in item["entries"]] == ["Archive story"]
    assert "November news" in (await room.client.get("/newsletters/en/")).text

    for lang, story, greeting in (
        ("en", "Archive story", "Dear reader"),
        ("ka", "არქივის სიახლე", "მკითხველო"),
    ):
        frame = await room.client.get(f"/newsletters/{lang}/{campaign['slug']}")
        assert frame.status_code == 200, frame.text
        assert f'src="/newsletters/{lang}/{campaign["slug"]}/mail"' in frame.text
        assert f'href="/subscriptions/{lang}/"' in frame.text  # a sign-up link, for everyone
        page = await room.client.get(f"/newsletters/{lang}/{campaign['slug']}/mail")
        assert page.status_code == 200, page.text
        assert story in page.text and greeting in page.text
        for personal in (token, "John Smith", "ნინო", "john@example.org", "/subscriptions/", "about:blank"):
            assert personal not in page.text
        for label in (LABELS[lang]["unsubscribe"], LABELS[lang]["preferences"]):
            assert label not in page.text  # no link that looks like a reader's own

    feed = await room.client.get("/feeds/en/newsletters.rss")
    assert feed.status_code == 200
    assert "November news" in feed.text and f"/newsletters/en/{campaign['slug']}" in feed.text
    assert token not in feed.text


async def test_a_digest_is_drafted_from_the_entries_published_since_a_time(newsroom_smtp: Newsroom) -> None:
    room = newsroom_smtp
    before = datetime.now(UTC) - timedelta(seconds=5)
    nothing = await room.post(
        "/api/v1/campaigns/digest",
        json={"since": before.isoformat(), "lists": ["partners"]},
        headers=room.admin,
    )
    assert nothing.status_code == 404, nothing.text
    first = await create_published(room.client, room.admin, body=bilingual("პირველი", "First"))
    second = await create_published(room.client, room.admin, body=bilingual("მეორე", "Second"))
    drafted = await room.post(
        "/api/v1/campaigns/digest",
        json={"since": before.isoformat(), "lists": ["partners"]},
        headers=room.admin,
    )
    assert drafted.status_code == 201, drafted.text
    digest = drafted.json()
    assert (digest["status"], digest["template"], digest["lists"]) == ("draft", "digest", ["partners"])
    assert digest["entries"] == [first["id"], second["id"]]
    assert digest["subject"]["en"].startswith("Weekly digest")
    assert digest["from_address"] == "newsroom@localhost"  # from MAIL_FROM
    future = await room.post(
        "/api/v1/campaigns/digest",
        json={"since": (datetime.now(UTC) + timedelta(days=1)).isoformat(), "lists": ["partners"]},
        headers=room.admin,
    )
    assert future.status_code == 422

    queue = room.app.state.queue
    assert await weekly_digest(job_context(room.settings, queue)) is None  # no DIGEST_LISTS: no weekly digest
    weekly = await weekly_digest(job_context(replace(room.settings, digest_lists=("partners",)), queue))
    assert weekly is not None
    state = await campaign_state(room, weekly)
    assert state["entries"] == [first["id"], second["id"]] and state["status"] == "draft"


async def test_bad_campaigns_are_refused_clearly(newsroom_smtp: Newsroom) -> None:
    room = newsroom_smtp
    good = {
        "template": "newsletter",
        "subject": {"ka": "ა", "en": "A"},
        "lists": ["partners"],
        "from_address": "newsroom@newsroom.test",
    }
    cases = {
        "subject": {**good, "subject": {"ka": "ა"}},
        "lists": {**good, "lists": ["nowhere"]},
        "from_address": {**good, "from_address": "x@y\r\nBcc: all@example.org"},
        "entries": {**good, "entries": ["00000000-0000-0000-0000-000000000001"]},
        "slug": {**good, "slug": "../../etc"},
    }
    for field_name, body in cases.items():
        refused = await room.post("/api/v1/campaigns", json=body, headers=room.admin)
        assert refused.status_code == 422, (field_name, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert field_name in refused.text
    unknown_template = await room.post(
        "/api/v1/campaigns", json={**good, "template": "nope"}, headers=room.admin
    )
    assert unknown_template.status_code == 404

    campaign = await draft(room, [])
    assert (
        await room.post(f"/api/v1/campaigns/{campaign['id']}/resume", headers=room.admin)
    ).status_code == 409
    await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
    again = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
    assert again.status_code == 409
    changed = await room.client.put(f"/api/v1/campaigns/{campaign['id']}", json=good, headers=room.admin)
    assert changed.status_code == 409


async def test_a_campaign_sent_at_a_time_waits_and_the_reconciler_starts_it_when_due(
    newsroom_smtp: Newsroom,
) -> None:
    room = newsroom_smtp
    await add_partners(room)
    campaign = await draft(room, [])
    later = datetime.now(UTC) + timedelta(hours=1)
    scheduled = await room.post(
        f"/api/v1/campaigns/{campaign['id']}/send", json={"at": later.isoformat()}, headers=room.admin
    )
    assert scheduled.status_code == 202, scheduled.text
    assert scheduled.json()["status"] == "scheduled"
    assert datetime.fromisoformat(scheduled.json()["send_at"]) == later
    ctx = job_context(room.settings, room.app.state.queue)
    assert await reconcile_campaigns(ctx) == 0  # not due: nothing starts, no ledger yet
    assert (await campaign_state(room, campaign["id"]))["counts"]["recipients"] == 0

    await Campaign.update({Campaign.send_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Campaign.id == UUID(campaign["id"])
    )  # the hour has passed
    assert await reconcile_campaigns(ctx) == 1
    state = await campaign_state(room, campaign["id"])
    assert state["status"] == "sending" and state["counts"]["recipients"] == 2


async def test_without_smtp_a_campaign_goes_to_the_outbox(newsroom: Newsroom) -> None:
    """The embedded default (`make run`): no SMTP_URL, so every recipient's mail is an .eml file."""
    room = newsroom
    await add_partners(room)
    story = await create_published(room.client, room.admin, body=bilingual("სიახლე", "Story"))
    campaign = await draft(room, [story["id"]])
    sent = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
    assert sent.status_code == 202, sent.text
    await room.run_jobs()
    state = await campaign_state(room, campaign["id"])
    assert (state["status"], state["counts"]["sent"]) == ("sent", 2)
    files = sorted(room.settings.outbox_dir.glob("*.eml"))
    mails = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]
    by_address = {mail["To"].addresses[0].addr_spec: mail for mail in mails if mail["List-Unsubscribe"]}
    assert set(by_address) == {"nino@example.ge", "john@example.org"}
    assert str(by_address["nino@example.ge"]["Subject"]) == "ნოემბრის სიახლეები"
    assert str(by_address["john@example.org"]["Subject"]) == "November news"
    assert "სიახლე" in parts(by_address["nino@example.ge"])[0]  # type: ignore[arg-type]


async def test_a_campaign_without_a_sender_is_sent_from_mail_from_by_its_slug_with_no_body(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await add_partners(room)
    body = {
        "template": "newsletter",
        "subject": {"ka": "სიახლეები", "en": "News"},
        "lists": ["partners"],
        "slug": "december",
    }
    created = await room.post("/api/v1/campaigns", json=body, headers=room.admin)
    assert created.status_code == 201, created.text
    name, address = parseaddr(room.settings.mail_from)
    assert (created.json()["from_name"], created.json()["from_address"]) == (name, address)  # shown at once
    nameless = await room.client.put(
        "/api/v1/campaigns/december", json={**body, "from_name": ""}, headers=room.admin
    )
    assert nameless.status_code == 200, nameless.text
    assert (nameless.json()["from_name"], nameless.json()["from_address"]) == ("", address)
    named = await room.client.put("/api/v1/campaigns/december", json=body, headers=room.admin)
    assert named.json()["id"] == created.json()["id"] and named.json()["from_name"] == name

    by_slug = await room.client.get("/api/v1/campaigns/december", headers=room.admin)
    assert (
        by_slug.json()
        == (await room.client.get(f"/api/v1/campaigns/{created.json()['id']}", headers=room.admin)).json()
    )
    missing = await room.client.get("/api/v1/campaigns/no-such-campaign", headers=room.admin)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(
        "application/problem+json"
    )
    reserved = await room.post("/api/v1/campaigns", json={**body, "slug": "digest"}, headers=room.admin)
    assert reserved.status_code == 422 and "slug" in reserved.text

    sent = await room.post("/api/v1/campaigns/december/send", headers=room.admin)  # no body at all
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == "scheduled"
    assert datetime.fromisoformat(sent.json()["send_at"]) <= datetime.now(UTC)  # now, as publish does
    await room.run_jobs()
    assert (await campaign_state(room, "december"))["status"] == "sent"
    assert len(inbox.messages) == 2
    for message in inbox.messages:
        sender = message["From"].addresses[0]
        assert (sender.display_name, sender.addr_spec) == (name, address)


async def test_send_with_an_empty_json_body_is_now_and_with_a_time_schedules(newsroom: Newsroom) -> None:
    room = newsroom
    await add_partners(room)
    now_campaign, later_campaign = await draft(room, [], slug="now"), await draft(room, [], slug="later")
    empty = await room.post(
        "/api/v1/campaigns/now/send", content=b"", headers={**room.admin, "Content-Type": "application/json"}
    )
    assert empty.status_code == 202, empty.text
    assert datetime.fromisoformat(empty.json()["send_at"]) <= datetime.now(UTC)
    later = datetime.now(UTC) + timedelta(days=1)
    scheduled = await room.post(
        f"/api/v1/campaigns/{later_campaign['slug']}/send", json={"at": later.isoformat()}, headers=room.admin
    )
    assert scheduled.status_code == 202, scheduled.text
    assert datetime.fromisoformat(scheduled.json()["send_at"]) == later
    wrong = await room.post("/api/v1/campaigns/now/send", json={"when": "soon"}, headers=room.admin)
    assert wrong.status_code == 400 and wrong.headers["content-type"].startswith("application/problem+json")
    assert now_campaign["id"] != later_campaign["id"]
