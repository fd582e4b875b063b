"""Leaving one list or all: a campaign's unsubscribe link and one-click POST leave that campaign's lists,
the page offers every list too, older links leave all, and each step is a consent record."""

from urllib.parse import parse_qs, urlsplit

from newsletters.consent import CONSENT_TEXTS
from newsletters.suppression import recipients
from tests.newsletters.conftest import Inbox, Newsroom
from tests.newsletters.test_campaigns import draft
from tests.newsletters.test_pages import active_subscriber

JSON = {"Accept": "application/json"}


async def deliverable(slug: str) -> list[str]:
    return [person.email async for person in recipients([slug])]


async def test_a_campaigns_one_click_leaves_its_lists_and_the_other_list_stays(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, inbox = newsroom_smtp, smtp[0]
    token = await active_subscriber(room, "nino@example.org", lang="en", lists=["press", "partners"])
    campaign = await draft(room, [], lists=["press"])
    sent = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
    assert sent.status_code in {200, 202}, sent.text
    await room.run_jobs()
    state = (await room.client.get(f"/api/v1/campaigns/{campaign['id']}", headers=room.admin)).json()
    assert state["status"] == "sent", state
    [mail] = inbox.to("nino@example.org")
    link = urlsplit(mail["List-Unsubscribe"].strip("<>"))
    assert link.path == f"/subscriptions/unsubscribe/{token}"
    assert parse_qs(link.query) == {"campaign": [campaign["slug"]]}
    target = f"{link.path}?{link.query}"

    page = await room.client.get(target)  # the visible link: the page names the campaign's list
    assert page.status_code == 200
    assert "Leave these lists" in page.text and "Leave every list" in page.text
    assert "n***@example.org" in page.text and "nino@example.org" not in page.text
    assert (await room.find("nino@example.org"))["status"] == "active"

    one_click = await room.client.post(target, content=b"List-Unsubscribe=One-Click")
    assert one_click.status_code == 200
    assert "Press" in one_click.text and "You still receive: Partners" in one_click.text
    assert await deliverable("press") == []
    assert await deliverable("partners") == ["nino@example.org"]
    person = await room.find("nino@example.org")
    assert person["status"] == "active"
    assert {item["list"]: item["status"] for item in person["lists"]} == {
        "partners": "active",
        "press": "unsubscribed",
    }
    leave = (await room.history(person["id"]))[-1]
    assert leave["action"] == "leave" and leave["source"] == "one-click" and leave["lists"] == ["press"]
    assert leave["consent_text"] == CONSENT_TEXTS["en"]["leave"]

    history_before = await room.history(person["id"])
    again = await room.client.post(target, content=b"List-Unsubscribe=One-Click")
    assert again.status_code == 200 and "You are no longer on these lists" in again.text
    assert await room.history(person["id"]) == history_before  # twice changes nothing

    every = await room.client.post(
        target, content=b"scope=all", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert every.status_code == 200 and "You are unsubscribed" in every.text
    assert 'href="/subscriptions/en/"' in every.text  # the way back: sign up again
    assert await deliverable("partners") == []
    person = await room.find("nino@example.org")
    assert person["status"] == "unsubscribed"
    history = await room.history(person["id"])
    assert len(history) == len(history_before) + 1
    assert history[-1]["action"] == "unsubscribe" and history[-1]["lists"] == ["partners"]


async def test_a_link_without_a_campaign_leaves_every_list(newsroom: Newsroom) -> None:
    token = await active_subscriber(newsroom, "old@example.org", lists=["press", "partners"])
    page = await newsroom.client.get(f"/subscriptions/unsubscribe/{token}")
    assert page.text.count("<button") == 1
    left = await newsroom.client.post(
        f"/subscriptions/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click"
    )
    assert left.status_code == 200
    person = await newsroom.find("old@example.org")
    assert person["status"] == "unsubscribed"
    assert {item["status"] for item in person["lists"]} == {"unsubscribed"}
    unknown = await newsroom.client.post(f"/subscriptions/unsubscribe/{token}?campaign=no-such-campaign")
    assert unknown.status_code == 200


async def test_the_preferences_page_says_whose_it_is_and_links_to_unsubscribe(newsroom: Newsroom) -> None:
    token = await active_subscriber(newsroom, "tamar@example.ge")
    page = await newsroom.client.get(f"/subscriptions/preferences/{token}")
    assert "t***@example.ge" in page.text and "tamar@example.ge" not in page.text
    assert f'href="/subscriptions/unsubscribe/{token}"' in page.text
    state = (await newsroom.client.get(f"/subscriptions/preferences/{token}", headers=JSON)).json()
    assert state["address"] == "t***@example.ge"
