"""Embargoed material for the press over HTTP: grants, mails through a real SMTP server, the personal
link before and after the lift, revoked, forged and hostile, and nothing of it public before the lift."""

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from accounts.staff import add_staff
from content.tables import Entry
from content.webhooks.tables import WebhookEvent
from core.db import write_transaction
from newsletters.press.links import token_hash
from newsletters.tables import PressGrant, PressOpening
from tests.newsletters.conftest import Inbox, Newsroom

PRESS_LINK = re.compile(r"https://newsroom\.test/press/([A-Za-z0-9_-]+)")
TITLE_KA, TITLE_EN = "მიგრაციის სტრატეგიის ახალი ანგარიში", "The new migration strategy report"
BODY = {
    "translations": {
        "ka": {"title": TITLE_KA, "summary": "ანგარიშის მოკლე შინაარსი", "body": "ანგარიშის **ტექსტი**"},
        "en": {"title": TITLE_EN, "summary": "What the report says", "body": "The report's **text**"},
    }
}
# 10:00 in Tbilisi is 06:00 UTC (Georgia keeps +04:00 all year).
LIFT = datetime(2036, 12, 18, 6, 0, tzinfo=UTC)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def token_in(message: EmailMessage) -> str:
    found = PRESS_LINK.search(text_of(message))
    assert found, text_of(message)
    return found.group(1)


async def person(room: Newsroom, address: str, lang: str, lists: list[str]) -> None:
    body = {"email": address, "basis": "accredited journalist", "lists": lists, "lang": lang, "name": "J"}
    response = await room.post("/api/v1/subscribers", json=body, headers=room.admin)
    assert response.status_code == 201, response.text


async def editor_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {(await add_staff('editor@scmi.test', 'editor', name='Editor')).token}"}


async def embargoed_entry(room: Newsroom, kind: str = "materials", body: dict[str, Any] = BODY) -> str:
    made = await room.post(f"/api/v1/{kind}", json=body, headers=room.admin)
    assert made.status_code == 201, made.text
    entry_id: str = made.json()["id"]
    published = await room.post(
        f"/api/v1/{kind}/{entry_id}/publish", json={"embargo_until": LIFT.isoformat()}, headers=room.admin
    )
    assert published.status_code == 200, published.text
    return entry_id


async def lift_embargo(entry_id: str) -> None:
    """The embargo's time comes (the clock cannot be moved, so the entry's moment is).

    In a write transaction, so that the app's caches hear of it as they hear of any write.
    """
    async with write_transaction():
        await Entry.update({Entry.embargo_until: datetime.now(UTC) - timedelta(seconds=1)}).where(
            Entry.id == entry_id
        )


async def public_everywhere(http: httpx.AsyncClient, needle: str) -> list[str]:
    """Where the public can find `needle`: lists, feeds, search and the sitemap, in both languages."""
    found = []
    for path in (
        "/api/v1/materials?lang=ka",
        "/api/v1/materials?lang=en",
        "/feeds/ka/all.rss",
        "/feeds/en/all.atom",
        "/feeds/en/materials.json",
        f"/api/v1/search?q={needle.split()[0]}",
        "/sitemap.xml",
    ):
        answer = await http.get(path)
        assert answer.status_code == 200, (path, answer.text)
        if needle in answer.text:
            found.append(path)
    return found


async def test_the_press_reads_embargoed_material_early_and_the_public_only_after_the_lift(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    inbox, _ = smtp
    room, http = newsroom_smtp, newsroom_smtp.client
    editor = await editor_headers()
    await person(room, "nino@example.ge", "ka", ["press"])
    await person(room, "jane@example.org", "en", ["press", "partners"])
    await person(room, "partner@example.org", "en", ["partners"])
    # A receiver of webhooks, so that any event the grant (wrongly) caused would be recorded.
    hook = {"url": "https://hooks.example.org/scmi", "events": ["entry.published", "entry.updated"]}
    assert (await http.post("/api/v1/webhooks", json=hook, headers=room.admin)).status_code == 201
    entry_id = await embargoed_entry(room)
    events_before = await WebhookEvent.count()
    base = f"/api/v1/materials/{entry_id}/embargo-access"

    granted = await http.post(
        base, json={"lists": ["press"], "emails": ["Desk@Outlet.example", "jane@example.org"], "lang": "en"},
        headers=editor,
    )  # fmt: skip
    assert granted.status_code == 202, granted.text
    assert granted.headers["cache-control"] == "no-store"
    answer = granted.json()
    assert answer["granted"] == 3
    by_address = {item["email"]: item for item in answer["items"]}
    assert set(by_address) == {"nino@example.ge", "jane@example.org", "desk@outlet.example"}
    assert by_address["nino@example.ge"]["lang"] == "ka" and by_address["nino@example.ge"]["list"] == "press"
    assert (
        by_address["desk@outlet.example"]["lang"] == "en"
        and by_address["desk@outlet.example"]["list"] is None
    )
    assert all(item["mailed_at"] is None and item["openings"] == [] for item in answer["items"])
    # Granting again adds nobody and mails nobody twice.
    again = await http.post(base, json={"lists": ["press"]}, headers=editor)
    assert again.status_code == 202 and again.json()["granted"] == 0

    await room.run_jobs()
    await room.run_jobs()  # a second run mails nobody again
    assert inbox.to("partner@example.org") == []
    (to_nino,) = inbox.to("nino@example.ge")
    (to_jane,) = inbox.to("jane@example.org")
    (to_desk,) = inbox.to("desk@outlet.example")
    assert to_nino["Subject"] == f"ემბარგო: {TITLE_KA}" and to_nino["Content-Language"] == "ka"
    assert "ემბარგო მოქმედებს 2036 წლის 18 დეკემბრის 10:00-მდე თბილისის დროით" in text_of(to_nino)
    assert "2036 წლის 18 დეკემბრის 06:00 UTC" in text_of(to_nino)
    assert to_jane["Subject"] == f"Embargoed: {TITLE_EN}"
    assert "Embargoed until 18 December 2036, 10:00 Tbilisi time (18 December 2036, 06:00 UTC)" in text_of(
        to_jane
    )
    tokens = {token_in(to_nino), token_in(to_jane), token_in(to_desk)}
    assert len(tokens) == 3
    # Only hashes are stored.
    stored = {row["token_hash"] for row in await PressGrant.select(PressGrant.token_hash)}
    assert stored == {token_hash(token) for token in tokens} and not stored & tokens

    nino = token_in(to_nino)
    page = await http.get(f"/press/{nino}")
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["x-robots-tag"] == "noindex"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert (
        '<html lang="ka">' in page.text and TITLE_KA in page.text and "<strong>ტექსტი</strong>" in page.text
    )
    assert "ემბარგო მოქმედებს 2036 წლის 18 დეკემბრის 10:00-მდე თბილისის დროით" in page.text
    assert '<meta name="robots" content="noindex">' in page.text
    english = await http.get(f"/press/{nino}", params={"lang": "en"})
    assert TITLE_EN in english.text and "Embargoed until 18 December 2036, 10:00 Tbilisi time" in english.text
    # A GET spends nothing: the link opens again, and again each opening is recorded.
    assert (await http.get(f"/press/{nino}")).status_code == 200
    listing = (await http.get(base, headers=editor)).json()
    opened = {item["email"]: item for item in listing["items"]}
    assert len(opened["nino@example.ge"]["openings"]) == 3
    assert opened["jane@example.org"]["openings"] == [] and opened["jane@example.org"]["mailed_at"]

    # Before the lift nothing of it is public: the entry, lists, feeds, search, sitemap, webhooks.
    assert (await http.get(f"/api/v1/materials/{entry_id}")).status_code == 404
    assert await public_everywhere(http, TITLE_EN) == []
    assert await public_everywhere(http, TITLE_KA) == []
    assert await WebhookEvent.count() == events_before

    await lift_embargo(entry_id)
    after = await http.get(f"/press/{nino}")
    assert after.status_code == 302 and after.headers["cache-control"] == "no-store"
    slug_ka = (await http.get(f"/api/v1/materials/{entry_id}", params={"lang": "ka"})).json()["slug"]
    assert after.headers["location"] == f"https://newsroom.test/ka/materials/{slug_ka}"
    jane_after = await http.get(f"/press/{token_in(to_jane)}")
    assert jane_after.status_code == 302 and "/en/materials/" in jane_after.headers["location"]
    assert (
        await http.get(after.headers["location"].removeprefix("https://newsroom.test"))
    ).status_code == 200
    assert "/api/v1/materials?lang=en" in await public_everywhere(http, TITLE_EN)


async def test_revoked_forged_and_another_entrys_links(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    inbox, _ = smtp
    room, http = newsroom_smtp, newsroom_smtp.client
    editor = await editor_headers()
    first = await embargoed_entry(room)
    other_body = {"translations": {"en": {"title": "Another embargoed report", "body": "Other text"}}}
    second = await embargoed_entry(room, "news", other_body)
    one = await http.post(
        f"/api/v1/materials/{first}/embargo-access", json={"emails": ["a@example.org"]}, headers=editor
    )
    two = await http.post(
        f"/api/v1/news/{second}/embargo-access",
        json={"emails": ["a@example.org"], "lang": "en"},
        headers=editor,
    )
    assert one.status_code == two.status_code == 202
    await room.run_jobs()
    mails = inbox.to("a@example.org")
    assert len(mails) == 2
    link_of = {("Another" in str(m["Subject"])): token_in(m) for m in mails}
    first_token, second_token = link_of[False], link_of[True]

    # Each link shows its own entry and nothing else.
    shown_first = (await http.get(f"/press/{first_token}")).text
    shown_second = (await http.get(f"/press/{second_token}")).text
    assert TITLE_KA in shown_first and "Another embargoed report" not in shown_first
    assert "Another embargoed report" in shown_second and TITLE_KA not in shown_second
    # A press token is no preview token, and no way into the entry's staff answer.
    assert (await http.get(f"/api/v1/preview/{first_token}")).status_code == 404
    assert (await http.get(f"/api/v1/materials/{first}", params={"token": first_token})).status_code == 404

    # Revoked: a clear 410 page, and the staff listing says when.
    grant_id = one.json()["items"][0]["id"]
    revoked = await http.delete(f"/api/v1/materials/{first}/embargo-access/{grant_id}", headers=editor)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    # In the journalist's language (Georgian: the grant's), whatever the browser asks; ?lang= switches.
    gone = await http.get(f"/press/{first_token}", headers={"Accept-Language": "en"})
    assert gone.status_code == 410 and "ბმული გაუქმებულია" in gone.text
    assert gone.headers["cache-control"] == "no-store"
    english = await http.get(f"/press/{first_token}", params={"lang": "en"})
    assert english.status_code == 410 and "This link was withdrawn" in english.text
    # Revoking through the other entry names no such grant.
    wrong = await http.delete(f"/api/v1/news/{second}/embargo-access/{grant_id}", headers=editor)
    assert wrong.status_code == 404 and wrong.headers["content-type"].startswith("application/problem+json")
    # A revoked address may be given access again: a new mail, a new link; the old one stays dead.
    regrant = await http.post(
        f"/api/v1/materials/{first}/embargo-access", json={"emails": ["a@example.org"]}, headers=editor
    )
    assert regrant.json()["granted"] == 1
    await room.run_jobs()
    newest = [m for m in inbox.to("a@example.org") if "Another" not in str(m["Subject"])][-1]
    assert (await http.get(f"/press/{token_in(newest)}")).status_code == 200
    assert (await http.get(f"/press/{first_token}")).status_code == 410

    # Forged and hostile tokens: a page that says not found, and nothing recorded.
    openings = await PressOpening.count()
    forged = first_token[:-2] + ("AA" if not first_token.endswith("AA") else "BB")
    for token in (forged, "x", "A" * 43, "A" * 5000, "%00", "..%2F..%2Fetc", "<script>", "ტოკენი", "a'--"):
        answer = await http.get(f"/press/{token}")
        assert answer.status_code == 404, (token, answer.status_code)
        assert "<script>" not in answer.text and "Traceback" not in answer.text
        if answer.headers["content-type"].startswith("text/html"):  # the route's own page (else the router's)
            assert answer.headers["cache-control"] == "no-store"
    assert await PressOpening.count() == openings


async def test_refusals(newsroom_smtp: Newsroom) -> None:
    room, http = newsroom_smtp, newsroom_smtp.client
    editor = await editor_headers()
    author = {"Authorization": f"Bearer {(await add_staff('author@scmi.test', 'author', name='A')).token}"}
    entry_id = await embargoed_entry(room)
    base = f"/api/v1/materials/{entry_id}/embargo-access"

    def problem(answer: httpx.Response, status: int) -> dict[str, Any]:
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        found: dict[str, Any] = answer.json()
        return found

    problem(await http.post(base, json={"emails": ["a@example.org"]}), 401)
    problem(await http.post(base, json={"emails": ["a@example.org"]}, headers=author), 403)
    problem(await http.get(base, headers=author), 403)
    assert problem(await http.post(base, json={}, headers=editor), 422)["errors"][0]["field"] == "lists"
    unknown = problem(await http.post(base, json={"lists": ["press", "nope"]}, headers=editor), 422)
    assert unknown["errors"][0]["field"] == "lists[1]"
    bad = problem(
        await http.post(base, json={"emails": ["a@example.org", "not an address"]}, headers=editor), 422
    )
    assert bad["errors"][0]["field"] == "emails[1]"
    for hostile in (
        {"emails": "a@example.org"},
        {"emails": [f"p{n}@example.org" for n in range(501)]},
        {"lists": ["../etc"]},
        {"lang": "fr", "emails": ["a@example.org"]},
        {"emails": ["a@example.org"], "token": "x"},
        {"emails": ["a" * 400 + "@example.org"]},
    ):
        assert (await http.post(base, json=hostile, headers=editor)).status_code in (400, 422), hostile
    assert (await http.post(base, content=b"{not json", headers=editor)).status_code == 400
    problem(
        await http.post(
            "/api/v1/materials/not-an-id/embargo-access", json={"lists": ["press"]}, headers=editor
        ),
        404,
    )
    problem(
        await http.post(f"/api/v1/news/{entry_id}/embargo-access", json={"lists": ["press"]}, headers=editor),
        404,
    )
    # Nothing half-written by any refusal above.
    assert await PressGrant.count() == 0

    # Only an entry under embargo: not a draft, not one published for everyone.
    draft = await room.post("/api/v1/news", json=BODY, headers=room.admin)
    draft_base = f"/api/v1/news/{draft.json()['id']}/embargo-access"
    problem(await http.post(draft_base, json={"emails": ["a@example.org"]}, headers=editor), 409)
    await room.post(f"/api/v1/news/{draft.json()['id']}/publish", json={}, headers=room.admin)
    problem(await http.post(draft_base, json={"emails": ["a@example.org"]}, headers=editor), 409)
    await lift_embargo(entry_id)
    problem(await http.post(base, json={"emails": ["a@example.org"]}, headers=editor), 409)
    assert await PressGrant.count() == 0


async def test_erasing_a_journalist_forgets_their_press_access(newsroom: Newsroom) -> None:
    room, http = newsroom, newsroom.client
    editor = await editor_headers()
    await person(room, "gone@example.org", "en", ["press"])
    entry_id = await embargoed_entry(room)
    granted = await http.post(
        f"/api/v1/materials/{entry_id}/embargo-access", json={"lists": ["press"]}, headers=editor
    )
    assert granted.json()["granted"] == 1
    subscriber = await room.find("gone@example.org")
    assert (await http.delete(f"/api/v1/subscribers/{subscriber['id']}", headers=room.admin)).status_code in (
        200,
        204,
    )
    listing = await http.get(f"/api/v1/materials/{entry_id}/embargo-access", headers=editor)
    assert listing.json()["items"] == []
