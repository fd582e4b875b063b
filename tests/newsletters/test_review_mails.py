"""The review round trip over HTTP, with the mails a real SMTP server receives, and every refusal."""

from email.message import EmailMessage
from typing import Any

import httpx

from accounts.invites import invite_staff
from accounts.staff import issue_token
from accounts.tables import AuditEvent
from tests.newsletters.conftest import Inbox, Newsroom

BODY = {
    "translations": {
        "ka": {"title": "კომისიის სხდომა", "summary": "მოკლედ", "body": "ტექსტი"},
        "en": {"title": "A sitting of the Commission", "summary": "In short", "body": "Text"},
    }
}


async def _member(email: str, role: str, lang: str) -> dict[str, str]:
    invited = await invite_staff(email, role, name=email.split("@")[0].title(), lang=lang)
    token = (await issue_token(invited.staff_id, "test")).token
    return {"Authorization": f"Bearer {token}"}


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    found: dict[str, Any] = response.json()
    return found


async def test_the_review_round_trip_mails_editors_and_author_in_their_languages(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    inbox, _ = smtp
    room, http = newsroom_smtp, newsroom_smtp.client
    author = await _member("author@scmi.test", "author", "en")
    other = await _member("other@scmi.test", "author", "ka")
    editor_ka = await _member("editor-ka@scmi.test", "editor", "ka")
    await _member("editor-en@scmi.test", "editor", "en")
    editor_off = await _member("editor-off@scmi.test", "editor", "en")
    assert (await http.get("/api/v1/me", headers=editor_off)).json()["review_mails"] is True
    turned_off = await http.patch("/api/v1/me", json={"review_mails": False}, headers=editor_off)
    assert turned_off.status_code == 200 and turned_off.json()["review_mails"] is False
    # An admin without console credentials turns them off through the API as well, and back on.
    for wanted in (False, True):
        admin = await http.patch("/api/v1/me", json={"review_mails": wanted}, headers=room.admin)
        assert admin.json()["review_mails"] is wanted

    created = await http.post("/api/v1/news", json=BODY, headers=author)
    assert created.status_code == 201, created.text
    entry_id = created.json()["id"]
    base = f"/api/v1/news/{entry_id}"

    # Wrong moves before submitting: someone else's draft, changes on a draft.
    assert "author" in _problem(await http.post(f"{base}/submit", json={}, headers=other), 403)["detail"]
    _problem(await http.post(f"{base}/request-changes", json={"note": "x"}, headers=editor_ka), 409)

    submitted = await http.post(f"{base}/submit", json={"note": "Please have a look"}, headers=author)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "in_review"
    _problem(await http.post(f"{base}/submit", json={}, headers=author), 409)
    # Never public, but in the staff list of its status.
    assert (await http.get(f"/api/v1/news/{entry_id}")).status_code == 404
    listed = await http.get("/api/v1/news", params={"status": "in_review"}, headers=editor_ka)
    assert [item["id"] for item in listed.json()["items"]] == [entry_id]

    await room.run_jobs()
    link = f"https://newsroom.test/console/news/{entry_id}"
    (to_ka,) = inbox.to("editor-ka@scmi.test")
    (to_en,) = inbox.to("editor-en@scmi.test")
    assert inbox.to("editor-off@scmi.test") == [] and inbox.to("author@scmi.test") == []
    # Admins decide too; one without console credentials yet is mailed in Georgian, the default.
    assert [m["Content-Language"] for m in inbox.to("admin@scmi.test")] == ["ka"]
    assert to_ka["Subject"] == "განსახილველად: კომისიის სხდომა" and to_ka["Content-Language"] == "ka"
    assert to_en["Subject"] == "For review: A sitting of the Commission"
    assert link in _text(to_ka) and link in _text(to_en) and "Please have a look" in _text(to_en)

    # Changes need a note; the refusal names it and changes nothing.
    refused = _problem(await http.post(f"{base}/request-changes", json={}, headers=editor_ka), 422)
    assert refused["errors"][0]["field"] == "note"
    _problem(await http.post(f"{base}/request-changes", json={"note": "x"}, headers=author), 403)
    revisions = (await http.get(f"{base}/revisions", headers=author)).json()
    assert [r["action"] for r in revisions] == ["submit", "create"]

    back = await http.post(
        f"{base}/request-changes", json={"note": "Fix the English title"}, headers=editor_ka
    )
    assert back.status_code == 200 and back.json()["status"] == "draft"
    await room.run_jobs()
    (to_author,) = inbox.to("author@scmi.test")
    assert to_author["Subject"] == "Changes requested: A sitting of the Commission"
    assert "Fix the English title" in _text(to_author) and link in _text(to_author)

    # The conversation.
    said = await http.post(f"{base}/comments", json={"body": "Done, *see* now"}, headers=author)
    assert said.status_code == 201, said.text
    assert "<em>see</em>" in said.json()["body_html"]
    _problem(await http.post(f"{base}/comments", json={"body": " "}, headers=author), 422)
    talk = (await http.get(f"{base}/comments", headers=editor_ka)).json()
    assert [(c["action"], c["staff_name"]) for c in talk] == [
        ("submit", "Author"), ("request_changes", "Editor-Ka"), ("comment", "Author"),
    ]  # fmt: skip
    audited = await AuditEvent.select(AuditEvent.path, AuditEvent.status).where(
        AuditEvent.path == f"{base}/comments"
    )
    assert {(row["path"], row["status"]) for row in audited} >= {(f"{base}/comments", 201)}

    # The author fixes the English, resubmits; the editor publishes.
    fixed = await http.patch(
        base, json={"translations": {"en": {"title": "Commission sits"}}}, headers=author
    )
    assert fixed.status_code == 200, fixed.text
    assert (await http.post(f"{base}/submit", json={}, headers=author)).status_code == 200
    published = await http.post(f"{base}/publish", json={}, headers=editor_ka)
    assert published.json()["status"] == "published"
    assert (await http.get(f"/api/v1/news/{entry_id}")).status_code == 200

    # One revision with its diff; restoring the first makes a new revision equal to it.
    numbers = [r["number"] for r in (await http.get(f"{base}/revisions", headers=author)).json()]
    edit_number = numbers[2]  # newest first: publish, submit, the author's edit
    shown = (await http.get(f"{base}/revisions/{edit_number}", headers=author)).json()
    assert shown["diff"] == [
        {"field": "translations.en.title", "old": "A sitting of the Commission", "new": "Commission sits"}
    ]
    _problem(await http.get(f"{base}/revisions/99", headers=author), 404)
    _problem(await http.post(f"{base}/revisions/99/restore", headers=editor_ka), 404)
    _problem(await http.post(f"{base}/revisions/1/restore", headers=author), 403)
    restored = await http.post(f"{base}/revisions/1/restore", headers=editor_ka)
    assert restored.status_code == 200, restored.text
    assert restored.json()["sources"]["en"]["title"] == "A sitting of the Commission"
    assert restored.json()["status"] == "published"
