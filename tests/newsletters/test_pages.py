"""The pages behind mailed links: HTML in both languages, strict headers, a GET that changes nothing."""

import email
import email.policy

import httpx

from newsletters.suppression import recipients
from service.pages import STYLE_HASH
from tests.newsletters.conftest import Newsroom, confirm_link

JSON = {"Accept": "application/json"}


async def active_subscriber(
    room: Newsroom, address: str, lang: str = "ka", lists: list[str] | None = None
) -> str:
    response = await room.client.post(
        "/api/v1/subscribers",
        json={
            "email": address,
            "lang": lang,
            "basis": "press accreditation list 2026",
            "lists": lists or ["press"],
        },
        headers=room.admin,
    )
    assert response.status_code == 201, response.text
    state = await room.client.get(
        "/api/v1/subscribers/" + response.json()["id"], headers=room.admin
    )  # the token is not in admin answers: read it from the table, as the campaign engine will
    from newsletters.tables import Subscriber

    row = await Subscriber.select(Subscriber.token).where(Subscriber.email == address).first()
    assert state.status_code == 200
    assert row is not None
    return str(row["token"])


def assert_strict_headers(response: httpx.Response) -> None:
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert f"style-src 'sha256-{STYLE_HASH}'" in policy
    assert "form-action 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "http://" not in response.text
    assert "https://" not in response.text


async def test_the_unsubscribe_page_has_one_button_and_a_get_changes_nothing(newsroom: Newsroom) -> None:
    token = await active_subscriber(newsroom, "giorgi@example.ge")
    for _ in range(2):
        page = await newsroom.client.get(f"/subscriptions/unsubscribe/{token}")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert_strict_headers(page)
        assert '<html lang="ka">' in page.text
        assert page.text.count("<button") == 1
        assert "გამოწერის გაუქმება" in page.text
    assert (await newsroom.find("giorgi@example.ge"))["status"] == "active"
    assert [r.email async for r in recipients(["press"])] == ["giorgi@example.ge"]


async def test_rfc8058_one_click_unsubscribe_needs_no_cookie_no_csrf_and_does_not_redirect(
    newsroom: Newsroom,
) -> None:
    token = await active_subscriber(
        newsroom, "mail-client@example.ge", lang="en", lists=["press", "partners"]
    )
    transport = httpx.ASGITransport(app=newsroom.app, client=("198.51.100.9", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="https://newsroom.test") as bare:
        response = await bare.post(
            f"/subscriptions/unsubscribe/{token}",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "MailProvider/1.0"},
        )
    assert response.status_code == 200
    assert "location" not in response.headers
    assert "set-cookie" not in response.headers
    assert "You are unsubscribed" in response.text
    assert [r.email async for r in recipients(["press", "partners"])] == []
    person = await newsroom.find("mail-client@example.ge")
    assert person["status"] == "unsubscribed"
    assert {item["status"] for item in person["lists"]} == {"unsubscribed"}
    last = (await newsroom.history(person["id"]))[-1]
    assert (last["action"], last["source"], last["ip"], last["user_agent"]) == (
        "unsubscribe",
        "one-click",
        "198.51.100.9",
        "MailProvider/1.0",
    )
    # A second click is harmless and records nothing new.
    again = await newsroom.client.post(
        f"/subscriptions/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click"
    )
    assert again.status_code == 200
    assert len(await newsroom.history(person["id"])) == 2


async def test_after_unsubscribing_only_a_new_confirmed_sign_up_brings_mail_back(newsroom: Newsroom) -> None:
    token = await active_subscriber(newsroom, "back@example.ge")
    await newsroom.client.post(f"/subscriptions/unsubscribe/{token}")
    joined = await newsroom.client.post(
        f"/subscriptions/preferences/{token}", json={"lang": "ka", "lists": ["press"]}, headers=JSON
    )
    assert joined.status_code == 409
    assert await newsroom.subscribe("back@example.ge") is not None
    assert (await newsroom.find("back@example.ge"))["status"] == "pending"
    assert [r.email async for r in recipients(["press"])] == []
    await newsroom.run_jobs()
    [mail] = list(newsroom.settings.outbox_dir.glob("*.eml"))
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    link = confirm_link(message).removeprefix("https://newsroom.test")  # type: ignore[arg-type]
    assert (await newsroom.client.post(link)).status_code == 200
    assert [r.email async for r in recipients(["press"])] == ["back@example.ge"]


async def test_the_preferences_page_changes_lists_and_language_from_a_form(newsroom: Newsroom) -> None:
    token = await active_subscriber(newsroom, "tamar@example.ge")
    page = await newsroom.client.get(f"/subscriptions/preferences/{token}")
    assert page.status_code == 200
    assert_strict_headers(page)
    assert 'value="press" checked' in page.text
    assert 'value="partners">' in page.text
    assert 'value="commission"' not in page.text  # private lists are not shown
    assert 'value="ka" checked' in page.text

    saved = await newsroom.client.post(
        f"/subscriptions/preferences/{token}", data={"lang": "en", "lists": ["partners"]}
    )
    assert saved.status_code == 200
    assert "location" not in saved.headers
    assert '<html lang="en">' in saved.text
    assert "Your changes are saved." in saved.text
    assert 'value="partners" checked' in saved.text
    assert 'value="press">' in saved.text
    assert [r.email async for r in recipients(["partners"])] == ["tamar@example.ge"]
    assert [r.email async for r in recipients(["press"])] == []

    bad = await newsroom.client.post(f"/subscriptions/preferences/{token}", data={"lang": "fr"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("text/html")


async def test_pages_answer_json_on_request(newsroom: Newsroom) -> None:
    token = await active_subscriber(newsroom, "json@example.ge", lang="en")
    state = (await newsroom.client.get(f"/subscriptions/preferences/{token}", headers=JSON)).json()
    assert state["status"] == "active"
    assert state["lang"] == "en"
    assert [(item["slug"], item["subscribed"]) for item in state["lists"]] == [
        ("partners", False),
        ("press", True),
    ]


async def test_the_accept_header_is_read_by_its_q_values(newsroom: Newsroom) -> None:
    token = await active_subscriber(newsroom, "accept@example.ge", lang="en")
    answers = {
        None: "text/html",
        "*/*": "text/html",
        "text/*": "text/html",
        "application/json": "application/json",
        "application/*": "application/json",
        "application/json;q=0.1, text/html": "text/html",
        "text/html;q=0.5, application/json": "application/json",
        "application/json, text/html;q=0.9": "application/json",
        "text/html, application/json": "text/html",
        "application/json, text/html": "application/json",  # equal q-values: the header's order
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "text/html",  # a browser
        "image/png": "text/html",  # nothing we offer: the page
    }
    for accept, expected in answers.items():
        headers = {} if accept is None else {"Accept": accept}
        response = await newsroom.client.get(f"/subscriptions/preferences/{token}", headers=headers)
        assert response.status_code == 200, (accept, response.text)
        assert response.headers["content-type"].split(";")[0] == expected, accept


async def test_unknown_tokens_get_a_404_page_or_problem(newsroom: Newsroom) -> None:
    for path in ("unsubscribe", "preferences"):
        page = await newsroom.client.get(
            f"/subscriptions/{path}/{'x' * 43}", headers={"Accept-Language": "en"}
        )
        assert page.status_code == 404
        assert "This link does not work" in page.text
        assert_strict_headers(page)
        problem = await newsroom.client.get(f"/subscriptions/{path}/{'x' * 43}", headers=JSON)
        assert problem.status_code == 404
        assert problem.headers["content-type"].startswith("application/problem+json")
    posted = await newsroom.client.post(f"/subscriptions/unsubscribe/{'y' * 43}")
    assert posted.status_code == 404


async def test_bounced_and_complained_people_get_no_mail_until_they_confirm_again(newsroom: Newsroom) -> None:
    from uuid import UUID

    from newsletters.suppression import may_receive, suppress

    await active_subscriber(newsroom, "bounce@example.ge")
    await active_subscriber(newsroom, "complaint@example.ge", lists=["press", "partners"])
    bounce = UUID((await newsroom.find("bounce@example.ge"))["id"])
    complaint = UUID((await newsroom.find("complaint@example.ge"))["id"])
    assert await may_receive(bounce, ["press"])
    assert await suppress(bounce, "bounced", source="campaign", detail="550 5.1.1 no such user")
    assert await suppress(complaint, "complained", source="feedback-loop")
    assert not await suppress(complaint, "complained", source="feedback-loop")
    assert [r.email async for r in recipients(["press", "partners"])] == []
    assert not await may_receive(bounce, ["press"])
    history = await newsroom.history(str(bounce))
    assert (history[-1]["action"], history[-1]["basis"]) == ("bounced", "550 5.1.1 no such user")
    report = await newsroom.client.post(
        "/api/v1/subscribers/import",
        params={"basis": "old list"},
        content=b"email,name,organisation,lang,lists\nbounce@example.ge,,,ka,press\n",
        headers={**newsroom.admin, "Content-Type": "text/csv"},
    )
    assert report.json()["refusals"][0]["reason"] == "bounced address: only the person can subscribe it again"
