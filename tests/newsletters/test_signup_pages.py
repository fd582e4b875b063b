"""The sign-up pages: plain form posts, the consent text shown is the one recorded, errors in the page's
language, the same answer for known and new addresses, and the honeypot, fill-time and rate guards."""

import re
import time
from dataclasses import replace
from urllib.parse import urlencode, urlsplit

from newsletters.consent import CONSENT_TEXTS, CONSENT_VERSION
from newsletters.suppression import recipients
from service.form_stamps import issue_stamp
from service.settings import Settings
from tests.conftest import Database
from tests.newsletters.conftest import Inbox, Newsroom, confirm_link, newsroom_for

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def served_earlier(room: Newsroom, seconds: float = 10) -> str:
    """The stamp of a form served `seconds` ago (a person who took their time)."""
    return issue_stamp(room.settings.secret_key, time.time() - seconds)


def fields_of(room: Newsroom, email: str, *lists: str, **extra: str) -> list[tuple[str, str]]:
    fields = [("email", email), ("consent", "yes"), ("stamp", served_earlier(room)), ("website", "")]
    return fields + [("lists", slug) for slug in lists] + list(extra.items())


def form_of(room: Newsroom, email: str, *lists: str, **extra: str) -> str:
    """A filled-in form, form-encoded, as a browser posts it."""
    return urlencode(fields_of(room, email, *lists, **extra))


async def test_the_page_lists_every_public_list_with_descriptions_and_the_consent_text(
    newsroom: Newsroom,
) -> None:
    described = {"description": {"ka": "პრესრელიზები და ანონსები", "en": "Press releases and notices"}}
    await newsroom.client.patch("/api/v1/lists/press", json=described, headers=newsroom.admin)
    for lang, press, partners in (("ka", "პრესა", "პარტნიორები"), ("en", "Press", "Partners")):
        page = await newsroom.client.get(f"/subscriptions/{lang}/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert f'<html lang="{lang}">' in page.text
        assert press in page.text and partners in page.text
        assert described["description"][lang] in page.text
        assert "commission" not in page.text  # a private list is not offered
        assert CONSENT_TEXTS[lang]["subscribe"] in page.text
        assert 'name="website"' in page.text and 'name="stamp"' in page.text
        assert 'method="post"' in page.text and "<script" not in page.text


async def test_the_websites_small_form_opens_ours_filled_in_and_nothing_happens(newsroom: Newsroom) -> None:
    page = await newsroom.client.get(
        "/subscriptions/en/", params={"email": "web@example.org", "lists": "press"}
    )
    assert page.status_code == 200
    assert 'value="web@example.org"' in page.text
    assert 'id="lists-press" name="lists" value="press" checked' in page.text
    assert 'value="partners" checked' not in page.text
    found = await newsroom.client.get("/api/v1/subscribers", params={"q": "web@"}, headers=newsroom.admin)
    assert found.json()["items"] == []


async def test_a_plain_form_post_signs_up_and_records_the_text_it_showed(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, inbox = newsroom_smtp, smtp[0]
    page = await room.client.get("/subscriptions/ka/")
    shown = CONSENT_TEXTS["ka"]["subscribe"]
    assert shown in page.text
    answer = await room.client.post(
        "/subscriptions/ka/",
        content=form_of(room, "Nino@Press.ge", "press", name="ნინო", organisation="რადიო"),
        headers=FORM,
    )
    assert answer.status_code == 200, answer.text
    assert "შეამოწმეთ ელფოსტა" in answer.text and '<html lang="ka">' in answer.text
    person = await room.find("nino@press.ge")
    assert person["status"] == "pending" and person["name"] == "ნინო" and person["organisation"] == "რადიო"
    [event] = await room.history(person["id"])
    assert event["action"] == "subscribe" and event["source"] == "signup-page"
    assert event["consent_text"] == shown and event["consent_version"] == CONSENT_VERSION
    assert event["ip"] == "203.0.113.7"
    await room.run_jobs()
    [mail] = inbox.to("nino@press.ge")
    assert mail["Content-Language"] == "ka"
    assert urlsplit(confirm_link(mail)).path.startswith("/subscriptions/confirm/")


async def test_the_answer_is_the_same_for_a_known_and_a_new_address(newsroom: Newsroom) -> None:
    await newsroom.subscribe("known@example.org", lists=["press"])
    known = await newsroom.client.post(
        "/subscriptions/en/", content=form_of(newsroom, "known@example.org", "press"), headers=FORM
    )
    new = await newsroom.client.post(
        "/subscriptions/en/", content=form_of(newsroom, "new@example.org", "press"), headers=FORM
    )
    assert known.status_code == new.status_code == 200
    assert known.text == new.text
    assert "Check your email" in new.text


async def test_errors_are_summarised_in_the_pages_language_with_links_to_the_fields(
    newsroom: Newsroom,
) -> None:
    empty = [("email", ""), ("stamp", served_earlier(newsroom))]
    answer = await newsroom.client.post("/subscriptions/ka/", content=urlencode(empty), headers=FORM)
    assert answer.status_code == 422
    assert '<html lang="ka">' in answer.text
    assert "<title>შეცდომა:" in answer.text
    summary = answer.text[answer.text.index('class="error-summary"') :]
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)
    assert links == [
        ("email", "შეიყვანეთ ელფოსტის მისამართი"),
        ("lists-partners", "აირჩიეთ ერთი სია მაინც"),
        ("consent", "მონიშნეთ თანხმობის ველი, რომ მიიღოთ საინფორმაციო ბიულეტენები"),
    ]
    for anchor, _ in links:
        assert f'id="{anchor}"' in answer.text
    assert 'aria-invalid="true"' in answer.text

    bad = await newsroom.client.post(
        "/subscriptions/en/",
        content=form_of(newsroom, "not an address", "press", name="x" * 201),
        headers=FORM,
    )
    assert bad.status_code == 422
    assert "Enter an email address in the correct format, like name@example.org" in bad.text
    assert "Name must be 200 characters or fewer" in bad.text
    assert 'value="not an address"' in bad.text  # what was typed comes back
    unknown = await newsroom.client.post(
        "/subscriptions/en/", content=form_of(newsroom, "a@example.org", "commission"), headers=FORM
    )
    assert unknown.status_code == 422 and "Choose at least one list" in unknown.text
    assert (
        await newsroom.client.get("/api/v1/subscribers", params={"q": "example.org"}, headers=newsroom.admin)
    ).json()["items"] == []


async def test_a_filled_honeypot_gets_the_usual_answer_and_nothing_is_done(newsroom: Newsroom) -> None:
    fields = [pair for pair in fields_of(newsroom, "bot@example.org", "press") if pair[0] != "website"]
    answer = await newsroom.client.post(
        "/subscriptions/en/", content=urlencode([*fields, ("website", "https://spam.example")]), headers=FORM
    )
    assert answer.status_code == 200 and "Check your email" in answer.text
    found = await newsroom.client.get("/api/v1/subscribers", params={"q": "bot@"}, headers=newsroom.admin)
    assert found.json()["items"] == []


async def test_a_form_sent_back_too_fast_or_without_a_true_stamp_is_shown_again(newsroom: Newsroom) -> None:
    page = await newsroom.client.get("/subscriptions/en/")
    fresh = re.search(r'name="stamp" value="([^"]+)"', page.text)
    assert fresh is not None
    base = [("email", "quick@example.org"), ("lists", "press"), ("consent", "yes")]
    for stamp in (fresh.group(1), "", "AAAAAAAAAAA", issue_stamp("another-key", time.time() - 60)):
        answer = await newsroom.client.post(
            "/subscriptions/en/", content=urlencode([*base, ("stamp", stamp)]), headers=FORM
        )
        assert answer.status_code == 422, stamp
        assert "Check your details and send the form again" in answer.text
        assert 'value="quick@example.org"' in answer.text
    stale = issue_stamp(newsroom.settings.secret_key, time.time() - 2 * 24 * 3600)
    answer = await newsroom.client.post(
        "/subscriptions/en/", content=urlencode([*base, ("stamp", stale)]), headers=FORM
    )
    assert answer.status_code == 422
    found = await newsroom.client.get("/api/v1/subscribers", params={"q": "quick@"}, headers=newsroom.admin)
    assert found.json()["items"] == []


async def test_the_minimum_fill_time_is_a_setting(settings: Settings, db: Database) -> None:
    async with newsroom_for(replace(settings, signup_min_seconds=0), db) as room:
        page = await room.client.get("/subscriptions/en/press")
        stamp = re.search(r'name="stamp" value="([^"]+)"', page.text)
        assert stamp is not None
        answer = await room.client.post(
            "/subscriptions/en/press",
            content=urlencode([("email", "fast@example.org"), ("consent", "yes"), ("stamp", stamp.group(1))]),
            headers=FORM,
        )
        assert answer.status_code == 200, answer.text
        assert (await room.find("fast@example.org"))["status"] == "pending"


async def test_one_lists_page_signs_up_for_that_list_only(newsroom: Newsroom) -> None:
    page = await newsroom.client.get("/subscriptions/en/partners")
    assert page.status_code == 200
    assert "Subscribe: Partners" in page.text
    assert 'name="lists" value="partners"' in page.text and 'value="press"' not in page.text
    answer = await newsroom.client.post(
        "/subscriptions/en/partners",
        content=form_of(newsroom, "one@example.org", "press"),  # a tampered list is ignored
        headers=FORM,
    )
    assert answer.status_code == 200
    person = await newsroom.find("one@example.org")
    assert [item["list"] for item in person["lists"]] == ["partners"]
    for path in ("/subscriptions/en/commission", "/subscriptions/en/nothing", "/subscriptions/fr/"):
        missing = await newsroom.client.get(path)
        assert missing.status_code == 404, path
        assert missing.headers["content-type"].startswith("text/html")
    assert '<html lang="ka">' in (await newsroom.client.get("/subscriptions/ka/nothing")).text


async def test_the_sign_up_page_is_rate_limited_per_address_with_a_page(
    settings: Settings, db: Database
) -> None:
    async with newsroom_for(replace(settings, subscribe_limit_per_ip=2), db) as room:
        answers = [
            await room.client.post(
                "/subscriptions/ka/", content=form_of(room, f"n{i}@example.org", "press"), headers=FORM
            )
            for i in range(3)
        ]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2].headers["content-type"].startswith("text/html")
    assert "ძალიან ბევრი" in answers[2].text
    assert 1 <= int(answers[2].headers["retry-after"]) <= 3600


async def test_a_get_of_the_confirmation_link_changes_nothing_and_its_button_confirms(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, inbox = newsroom_smtp, smtp[0]
    await room.client.post(
        "/subscriptions/en/", content=form_of(room, "nino@example.org", "press"), headers=FORM
    )
    await room.run_jobs()
    path = urlsplit(confirm_link(inbox.to("nino@example.org")[0])).path
    for _ in range(2):  # a mail scanner, then the person
        page = await room.client.get(path, headers={"User-Agent": "LinkScanner/1.0"})
        assert page.status_code == 200
        assert page.text.count("<button") == 1 and "Confirm subscription" in page.text
        assert "n***@example.org" in page.text and "nino@example.org" not in page.text
    person = await room.find("nino@example.org")
    assert person["status"] == "pending"
    assert [event["action"] for event in await room.history(person["id"])] == ["subscribe"]
    assert [r.email async for r in recipients(["press"])] == []

    confirmed = await room.client.post(path, headers={"User-Agent": "Firefox/140"})
    assert confirmed.status_code == 200 and "Subscription confirmed" in confirmed.text
    person = await room.find("nino@example.org")
    assert person["status"] == "active"
    confirm = (await room.history(person["id"]))[-1]
    assert confirm["action"] == "confirm" and confirm["source"] == "confirm-page"
    assert confirm["user_agent"] == "Firefox/140" and confirm["ip"] == "203.0.113.7"
    assert confirm["created_at"]
    after = await room.client.get(path)
    assert "already confirmed" in after.text and "<button" not in after.text
