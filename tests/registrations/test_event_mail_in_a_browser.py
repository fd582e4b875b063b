"""Mail to an event's registrants on a live `scmi run`: each gets it in their language, and the opt-out
page (Georgian and English, at 320 px in headless Chromium) has no axe-core violation and works."""

import re

import httpx
from playwright.async_api import async_playwright

from tests.newsletters.conftest import Inbox
from tests.newsletters.test_signup_pages_in_a_browser import check_page
from tests.newsletters.test_subscribing_in_a_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    live_server,  # noqa: F401 (the fixture)
)
from tests.registrations.conftest import JSON, page_link, sitting, text_of
from tests.registrations.test_sitting_in_a_browser import mails_to

OPT_OUT = re.compile(r"https?://\S+(/registrations/[A-Za-z0-9_-]+/event-mail)")
PEOPLE = (("ana@example.ge", "ka"), ("clare@example.org", "en"))


async def test_registrants_get_the_mail_and_opt_out_on_the_page(
    live_server: LiveServer,  # noqa: F811 (the fixture imported above)
    smtp: tuple[Inbox, str],
) -> None:
    inbox, seen = smtp[0], []
    editor = live_server.admin
    async with httpx.AsyncClient(base_url=live_server.url) as client, async_playwright() as playwright:
        created = await client.post("/api/v1/events", json=sitting(capacity=10), headers=editor)
        event = (await client.post(f"/api/v1/events/{created.json()['id']}/publish", headers=editor)).json()
        for address, lang in PEOPLE:
            body = {"email": address, "name": "Ana", "consent": True, "lang": lang}
            assert (
                await client.post(f"/api/v1/events/{event['id']}/registrations", json=body)
            ).status_code == 202
            link = page_link((await mails_to(inbox, address, 1))[0])
            assert (await client.post(link, json={"action": "confirm"}, headers=JSON)).json()["status"] == (
                "registered"
            )
            await mails_to(inbox, address, 2)  # the place, with its invitation
        draft = {"template": "newsletter", "subject": {"ka": "დღის წესრიგი", "en": "The agenda"}}
        made = await client.post(
            f"/api/v1/events/{event['id']}/registrations/mail", json=draft, headers=editor
        )
        assert made.status_code == 201, made.text
        sent = await client.post(f"/api/v1/campaigns/{made.json()['id']}/send", headers=editor)
        assert sent.status_code == 202
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 320, "height": 640})
        for address, lang in PEOPLE:
            mail = (await mails_to(inbox, address, 3))[-1]
            assert str(mail["Subject"]) == draft["subject"][lang]
            assert mail["List-Unsubscribe"] is None
            found = OPT_OUT.search(text_of(mail))
            assert found is not None
            await page.goto(live_server.url + found.group(1))
            await check_page(page, lang, seen)
            await page.click("button[type=submit]")
            await page.wait_for_selector(".note")
            await check_page(page, lang, seen)
        again = await client.post(
            f"/api/v1/events/{event['id']}/registrations/mail", json=draft, headers=editor
        )
        assert again.status_code == 409  # both opted out: nobody left to mail
        await browser.close()
    print("\n".join(seen))
