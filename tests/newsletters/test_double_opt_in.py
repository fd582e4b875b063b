"""The whole double opt-in path, read from the real mail an SMTP server started by the test received."""

from urllib.parse import urlsplit

import pytest

from newsletters.suppression import recipients
from tests.newsletters.conftest import Inbox, Newsroom, confirm_link

JSON = {"Accept": "application/json"}


async def deliverable(*lists: str) -> list[str]:
    return [person.email async for person in recipients(list(lists))]


async def test_subscribe_in_georgian_confirm_change_language_unsubscribe(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    response = await room.subscribe(
        " Nino.Beridze@Example.GE ", name="ნინო ბერიძე", organisation="საზოგადოებრივი მაუწყებელი", lang="ka"
    )
    assert response.status_code == 202
    assert await deliverable("press") == []  # pending people receive nothing

    await room.run_jobs()
    [message] = inbox.to("nino.beridze@example.ge")
    assert message["Subject"].startswith("დაადასტურეთ გამოწერა")
    assert message["Content-Language"] == "ka"
    assert "ნინო ბერიძე" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "პრესა" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = urlsplit(confirm_link(message))
    assert link.netloc == "newsroom.test"

    confirmed = await room.client.post(link.path, headers=JSON)
    assert confirmed.status_code == 200, confirmed.text
    state = confirmed.json()
    assert state["status"] == "active"
    assert state["lang"] == "ka"
    assert {item["slug"]: item["subscribed"] for item in state["lists"]} == {"partners": False, "press": True}
    assert [item["name"] for item in state["lists"]] == ["პარტნიორები", "პრესა"]
    assert await deliverable("press") == ["nino.beridze@example.ge"]
    assert await deliverable("partners") == []
    assert len(state["token"]) >= 43  # 256 random bits, URL-safe

    token = state["token"]
    changed = await room.client.post(
        f"/subscriptions/preferences/{token}",
        json={"lang": "en", "lists": ["press", "partners"]},
        headers=JSON,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["lang"] == "en"
    assert [item["name"] for item in changed.json()["lists"]] == ["Partners", "Press"]
    assert await deliverable("partners") == ["nino.beridze@example.ge"]

    left = await room.client.post(f"/subscriptions/unsubscribe/{token}", headers=JSON)
    assert left.status_code == 200
    assert left.json()["status"] == "unsubscribed"
    assert await deliverable("press", "partners") == []

    person = await room.find("nino")
    assert person["status"] == "unsubscribed"
    assert person["name"] == "ნინო ბერიძე"
    history = await room.history(person["id"])
    assert [event["action"] for event in history] == ["subscribe", "confirm", "preferences", "unsubscribe"]
    subscribe, confirm, preferences, unsubscribe = history
    assert subscribe["lang"] == "ka"
    assert subscribe["consent_text"].startswith("ვეთანხმები")
    assert subscribe["consent_version"]
    assert subscribe["lists"] == ["press"]
    assert subscribe["ip"] == "203.0.113.7"
    assert subscribe["source"] == "api"
    assert confirm["source"] == "confirm-page"
    assert preferences["lang"] == "en"
    assert preferences["consent_text"].startswith("I change my choice")
    assert preferences["lists"] == ["partners", "press"]
    assert unsubscribe["lists"] == ["partners", "press"]
    assert unsubscribe["consent_text"] == "I no longer wish to receive the Secretariat's newsletters."


async def test_a_confirmation_link_works_once_and_again_without_harm(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await room.subscribe("press@media.ge", lang="en")
    await room.run_jobs()
    path = urlsplit(confirm_link(inbox.to("press@media.ge")[0])).path
    first = await room.client.post(path)
    again = await room.client.post(path)
    assert first.status_code == again.status_code == 200
    assert "Subscription confirmed" in again.text
    history = await room.history((await room.find("press@media.ge"))["id"])
    assert [event["action"] for event in history] == ["subscribe", "confirm"]


@pytest.mark.parametrize("lang", ["ka", "en"])
async def test_the_mail_is_in_the_subscribers_language(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str], lang: str
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await room.subscribe(f"{lang}@partner.org", lang=lang)
    await room.run_jobs()
    [message] = inbox.to(f"{lang}@partner.org")
    expected = {"ka": "დაადასტურეთ", "en": "Confirm your subscription"}[lang]
    assert expected in message["Subject"]
    assert message["Content-Language"] == lang
