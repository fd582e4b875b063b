"""The entry editor's "press access" section: grant to lists and addresses, refusals, who opened, withdraw."""

from datetime import UTC, datetime

from content.publishing import publish_entry
from content.schemas import PublishIn
from newsletters.consent import Origin
from newsletters.lists import create_list
from newsletters.press.links import new_token, token_hash
from newsletters.subscriber_schemas import ListIn, ListNames, SubscriberIn
from newsletters.subscribers import add_subscriber
from newsletters.tables import PressGrant
from service.settings import Settings
from tests.conftest import Database
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import sign_in_as, write

TITLES = {"ka": "ემბარგოს ქვეშ მყოფი ანგარიში", "en": "A report under embargo"}
LIFT = datetime(2036, 12, 18, 6, 0, tzinfo=UTC)


async def _press_list(settings: Settings) -> None:
    await create_list(ListIn(slug="press", name=ListNames(ka="პრესა", en="Press"), public=True))
    person = SubscriberIn(email="nino@example.ge", basis="accredited journalist", lists=["press"], lang="ka")
    await add_subscriber(person, secret_key=settings.secret_key, origin=Origin(source="test"))


async def test_editors_give_withdraw_and_see_openings(
    console: ConsoleClient, db: Database, settings: Settings
) -> None:
    await _press_list(settings)
    editor = await sign_in_as(console, "editor", name="Nino Editor")
    entry_id = await write("materials", editor.actor, TITLES)
    page = f"/console/materials/{entry_id}"
    action = f"{page}/press-access"
    # A draft has no press section.
    assert 'id="press-title"' not in (await console.get(page)).text
    await publish_entry("materials", entry_id, PublishIn(embargo_until=LIFT), editor.actor)
    served = await console.get(page)
    assert 'id="press-title"' in served.text and f'action="{action}"' in served.text
    assert "Embargoed until 18 December 2036, 10:00 Tbilisi time (18 December 2036, 06:00 UTC)" in served.text
    assert 'value="press"' in served.text and "Nobody has access yet." in served.text

    # Refusals: the form again with an error summary linking to the field, and nothing written.
    empty = await console.submit(page, action, {"press_emails": "  "})
    assert empty.status_code == 422 and 'href="#press_lists"' in empty.text
    bad = await console.submit(page, action, {"press_emails": "desk@outlet.example\nnot-an-address"})
    assert bad.status_code == 422 and 'href="#press_emails"' in bad.text
    assert "“not-an-address” is not a mail address." in bad.text
    assert "desk@outlet.example\nnot-an-address</textarea>" in bad.text  # the typed text is kept
    hostile = await console.submit(page, action, {"press_lists": "../etc", "press_emails": "<b>x</b>"})
    assert hostile.status_code == 422 and "<b>x</b>" not in hostile.text
    no_token = await console.post(action, data={"press_emails": "desk@outlet.example"})
    assert no_token.status_code == 403
    assert await PressGrant.count() == 0

    given = await console.submit(
        page,
        action,
        {"press_lists": "press", "press_emails": "Desk@Outlet.example, jane@example.org", "press_lang": "en"},
    )
    assert given.status_code == 303 and given.headers["location"] == f"{page}?done=press_grant#press-title"
    rows = {row["email"]: row for row in await PressGrant.select()}
    assert set(rows) == {"nino@example.ge", "desk@outlet.example", "jane@example.org"}
    assert rows["nino@example.ge"]["lang"] == "ka" and rows["desk@outlet.example"]["lang"] == "en"
    served = await console.get(given.headers["location"])
    assert "Access given; the links are being mailed." in served.text
    assert "desk@outlet.example" in served.text and "not yet" in served.text and "not opened" in served.text

    # An opening shows in the table, in Tbilisi time.
    token = new_token()
    grant_id = rows["jane@example.org"]["id"]
    await PressGrant.update({PressGrant.token_hash: token_hash(token)}).where(PressGrant.id == grant_id)
    assert (await console.get(f"/press/{token}")).status_code == 200
    served = await console.get(page)
    assert served.text.count("not opened") == 2

    revoke = f"{page}/press-access/{grant_id}/revoke"
    withdrawn = await console.submit(page, revoke, {})
    assert withdrawn.status_code == 303 and withdrawn.headers["location"].endswith(
        "?done=press_revoke#press-title"
    )
    assert "withdrawn" in (await console.get(page)).text
    assert (await console.get(f"/press/{token}")).status_code == 410
    missing = await console.submit(page, f"{page}/press-access/{entry_id}/revoke", {})
    assert missing.status_code == 404


async def test_the_section_in_georgian_and_for_authors(
    console: ConsoleClient, db: Database, settings: Settings
) -> None:
    editor = await sign_in_as(console, "editor", lang="ka", name="Eka")
    entry_id = await write("news", editor.actor, TITLES)
    await publish_entry("news", entry_id, PublishIn(embargo_until=LIFT), editor.actor)
    page = f"/console/news/{entry_id}"
    served = await console.get(page)
    assert "პრესისთვის წინასწარი წვდომა" in served.text
    assert "ემბარგო მოქმედებს 2036 წლის 18 დეკემბრის 10:00-მდე თბილისის დროით" in served.text
    refused = await console.submit(page, f"{page}/press-access", {"press_emails": "x"})
    assert refused.status_code == 422 and "„x“ ელფოსტის მისამართი არ არის." in refused.text

    await sign_in_as(console, "author", name="Author")
    served = await console.get(page)
    assert 'id="press-title"' not in served.text
    denied = await console.submit(page, f"{page}/press-access", {"press_emails": "a@example.org"})
    assert denied.status_code == 403
    assert await PressGrant.count() == 0
