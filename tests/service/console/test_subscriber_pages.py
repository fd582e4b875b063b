"""The console's lists and subscribers pages on both databases: search and paging, add, edit, erase,
CSV import with its refusals, export, and editors refused."""

import csv
import html
import io
import re
from uuid import UUID

import httpx

from newsletters.consent import Origin, history
from newsletters.lists import create_list, get_list
from newsletters.subscriber_schemas import ListIn, ListNames, Names, SubscriberIn
from newsletters.subscribers import add_subscriber, erase_subscriber
from service.console.campaigns import PROGRESS_SCRIPT_PATH
from service.settings import Settings
from tests.conftest import Database
from tests.service.console.conftest import CSRF_FIELD, ConsoleClient
from tests.service.console.staff_pages import sign_in_as

IMPORT_PAGE = re.compile(r"^/console/subscribers/import/[0-9a-f-]{36}$")

SUBSCRIBER_LINK = re.compile(r'<td><a href="/console/subscribers/([0-9a-f-]{36})">')
STAFF = Origin(source="staff")


async def _lists() -> None:
    await create_list(
        ListIn(
            slug="partners",
            name=ListNames(ka="პარტნიორები", en="Partners"),
            public=True,
            description=Names(ka="პარტნიორების სია", en="For partners"),
        )
    )
    await create_list(ListIn(slug="staff-only", name=ListNames(ka="შიდა", en="Internal")))


async def _add(settings: Settings, email: str, lists: list[str], **extra: str) -> str:
    data = SubscriberIn(email=email, basis="partnership agreement", lists=lists, **extra)  # type: ignore[arg-type]
    added = await add_subscriber(data, secret_key=settings.secret_key, origin=STAFF)
    return str(added.id)


def _ids(page: httpx.Response) -> list[str]:
    return SUBSCRIBER_LINK.findall(page.text)


async def test_lists_page_counts_links_create_and_edit(
    console: ConsoleClient, db: Database, settings: Settings
) -> None:
    await _lists()
    await _add(settings, "a@example.org", ["partners"])
    await _add(settings, "b@example.org", ["partners", "staff-only"])
    await sign_in_as(console, "admin", lang="en")
    page = await console.get("/console/lists/")
    assert page.status_code == 200
    assert 'href="/subscriptions/ka/partners"' in page.text
    assert 'href="/subscriptions/en/partners"' in page.text
    assert "/subscriptions/ka/staff-only" not in page.text  # not public: no sign-up page
    rows = page.text.split("<tbody>", 1)[1].split("</tr>")
    assert [re.findall(r'<td class="number">(?:<a [^>]+>)?(\d+)(?:</a>)?</td>', row) for row in rows[:2]] == [
        ["2", "0", "0"],
        ["1", "0", "0"],
    ]
    bad = await console.submit(
        "/console/lists/", "/console/lists/", {"slug": "Bad Slug", "name.ka": "", "name.en": "X"}
    )
    assert bad.status_code == 422
    assert '<a href="#slug">' in bad.text and '<a href="#name.ka">Enter the name in Georgian.</a>' in bad.text
    taken = await console.submit(
        "/console/lists/", "/console/lists/", {"slug": "partners", "name.ka": "ა", "name.en": "b"}
    )
    assert taken.status_code == 409
    fields = {"slug": "press", "name.ka": "პრესა", "name.en": "Press", "description.en": "Journalists"}
    added = await console.submit("/console/lists/", "/console/lists/", {**fields, "public": "yes"})
    assert added.status_code == 303
    assert added.headers["location"] == "/console/lists/?added=press"
    press = await get_list("press")
    assert press.public and press.name.en == "Press" and press.description.en == "Journalists"
    edit = await console.get("/console/lists/press")
    assert 'value="Press"' in edit.text
    saved = await console.submit(
        "/console/lists/press", "/console/lists/press", {"name.ka": "პრესა", "name.en": "Media"}
    )
    assert saved.status_code == 303
    press = await get_list("press")
    assert press.name.en == "Media" and not press.public  # the box left unticked closes sign-ups
    assert (await console.get("/console/lists/nope")).status_code == 404


async def test_search_filters_each_change_the_rows_and_paging_walks_all_once(
    console: ConsoleClient, db: Database, settings: Settings
) -> None:
    await _lists()
    ids = {
        "nino": await _add(settings, "nino@example.org", ["partners"], name="Nino Beridze"),
        "iom": await _add(settings, "office@iom.example", ["staff-only"], organisation="IOM Georgia"),
        "left": await _add(settings, "gone@example.org", ["partners"]),
    }
    await erase_subscriber(ids["left"], origin=STAFF)  # type: ignore[arg-type]
    many = [await _add(settings, f"p{number:02}@many.example", ["partners"]) for number in range(30)]
    await sign_in_as(console, "admin", lang="en")

    everyone = await console.get("/console/subscribers/")
    assert everyone.status_code == 200
    assert len(_ids(everyone)) == 25
    assert _ids(await console.get("/console/subscribers/?q=NINO@example")) == [ids["nino"]]
    assert _ids(await console.get("/console/subscribers/?q=beridze")) == [ids["nino"]]
    assert _ids(await console.get("/console/subscribers/?q=iom+georgia")) == [ids["iom"]]
    assert _ids(await console.get("/console/subscribers/?status=erased")) == [ids["left"]]
    assert _ids(await console.get("/console/subscribers/?list=staff-only")) == [ids["iom"]]
    assert _ids(await console.get("/console/subscribers/?q=example.org&list=partners")) == [ids["nino"]]
    assert _ids(await console.get("/console/subscribers/?q=%25")) == []  # typed literally, not a wildcard
    bad = await console.get("/console/subscribers/?status=sleeping")
    assert bad.status_code == 422
    assert '<a href="#status">There is no such status.</a>' in bad.text
    assert (await console.get("/console/subscribers/?list=nope")).status_code == 422
    assert (await console.get("/console/subscribers/?cursor=not-a-cursor")).status_code == 422

    seen: list[str] = []
    address = "/console/subscribers/?status=active"
    pages = 0
    while address:
        page = await console.get(address)
        assert page.status_code == 200
        seen += _ids(page)
        pages += 1
        found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        address = found.group(1).replace("&amp;", "&") if found else ""
    assert pages == 2
    assert sorted(seen) == sorted([ids["nino"], ids["iom"], *many])
    assert len(seen) == len(set(seen))


async def test_add_edit_and_erase_with_the_history_ending_in_the_erasure(
    console: ConsoleClient, db: Database
) -> None:
    await _lists()
    await sign_in_as(console, "admin", lang="en")
    form = await console.get("/console/subscribers/new")
    assert form.status_code == 200 and 'name="basis"' in form.text
    bad = await console.submit(
        "/console/subscribers/new", "/console/subscribers/new", {"email": "", "lang": "ka", "basis": "x"}
    )
    assert bad.status_code == 422
    assert '<a href="#email">Enter the email address.</a>' in bad.text
    assert '<a href="#basis">' in bad.text
    fields = {
        "email": "Tamar@Example.org",
        "name": "Tamar",
        "organisation": "UNHCR",
        "lang": "en",
        "lists": "partners",
        "basis": "partnership agreement of 2026-03-01",
    }
    added = await console.submit("/console/subscribers/new", "/console/subscribers/new", fields)
    assert added.status_code == 303
    page_address = added.headers["location"].split("?")[0]
    subscriber_id = page_address.rsplit("/", 1)[1]
    page = await console.get(page_address)
    assert "tamar@example.org" in page.text and "UNHCR" in page.text
    assert "Added by staff" in page.text and "partnership agreement of 2026-03-01" in page.text
    again = await console.submit("/console/subscribers/new", "/console/subscribers/new", fields)
    assert again.status_code == 409 and "already a subscriber" in again.text

    edit = {"name": "Tamar K.", "organisation": "UNHCR", "lang": "ka", "lists": "staff-only"}
    no_basis = await console.submit(page_address, page_address, edit)
    assert no_basis.status_code == 422
    assert '<a href="#basis">Putting the subscriber on a list needs the basis for it.</a>' in no_basis.text
    saved = await console.submit(page_address, page_address, {**edit, "basis": "asked at the conference"})
    assert saved.status_code == 303
    page = await console.get(page_address)
    assert "Tamar K." in page.text and "Lists changed by staff" in page.text
    assert "<code>staff-only</code>: active" in page.text and "<code>partners</code>: left" in page.text

    confirm = await console.get(f"{page_address}/erase")
    assert confirm.status_code == 200
    assert "keyed hash" in confirm.text and "Counts" in confirm.text
    erased = await console.submit(f"{page_address}/erase", f"{page_address}/erase", {})
    assert erased.status_code == 303
    page = await console.get(page_address)
    assert "tamar@example.org" not in page.text and "Tamar K." not in page.text
    assert "(erased)" in page.text and 'action="/console/subscribers/' not in page.text  # no edit form
    events = await history(UUID(subscriber_id))
    assert [event.action for event in events] == ["staff_add", "staff_edit", "erase"]
    assert page.text.rindex("<strong>Erased</strong>") > page.text.rindex("Lists changed by staff")
    refused = await console.submit("/console/subscribers/new", "/console/subscribers/new", fields)
    assert refused.status_code == 409
    assert "only the person can subscribe it again" in refused.text


async def _upload(console: ConsoleClient, body: bytes, basis: str, *, token: bool = True) -> httpx.Response:
    served = await console.get("/console/subscribers/import")
    match = CSRF_FIELD.search(served.text)
    assert match
    data = {"_csrf_token": match.group(1) if token else "forged", "basis": basis}
    return await console.post(
        "/console/subscribers/import", data=data, files={"file": ("people.csv", body, "text/csv")}
    )


async def _imported(console: ConsoleClient, settings: Settings, body: bytes, basis: str) -> httpx.Response:
    """Upload a file, check its import waits on its progress page, run the worker, and show the report."""
    queued = await _upload(console, body, basis)
    assert queued.status_code == 303, queued.text
    run_page = queued.headers["location"]
    assert IMPORT_PAGE.match(run_page), run_page
    waiting = await console.get(run_page)
    total = body.decode().strip().count("\n")  # data rows: lines after the header
    assert f'<progress id="imp-progress" max="{total}" value="0">' in waiting.text
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in waiting.text
    assert 'data-refresh="2"' in waiting.text
    assert f'<script src="{PROGRESS_SCRIPT_PATH}" defer></script>' in waiting.text
    assert "script-src 'self'" in waiting.headers["content-security-policy"]
    await console.run_jobs(settings)
    done = await console.get(run_page)
    assert done.status_code == 200
    assert f'<progress id="imp-progress" max="{total}" value="{total}">' in done.text
    assert 'http-equiv="refresh"' not in done.text and "data-refresh" not in done.text
    return done


async def test_import_shows_the_counts_and_the_refusals_download_has_the_reasons(
    console: ConsoleClient, db: Database, settings: Settings
) -> None:
    await _lists()
    await sign_in_as(console, "admin", lang="en")
    rows = ["email,name,organisation,lang,lists"]
    rows += [f"person{number}@example.org,Person {number},,ka,partners" for number in range(8)]
    rows += [
        "not-an-address,Bad,,ka,partners",
        "person1@example.org,Twice,,en,partners",
        "fine@example.org,Unknown list,,ka,nope",
    ]
    body = ("\r\n".join(rows) + "\r\n").encode()
    forged = await _upload(console, body, "agreement", token=False)
    assert forged.status_code == 403
    no_basis = await _upload(console, body, "")
    assert no_basis.status_code == 422 and '<a href="#basis">' in no_basis.text
    wrong = await _upload(console, b"mail,who\r\nx@example.org,X\r\n", "agreement")
    assert wrong.status_code == 422 and '<a href="#file">' in wrong.text

    done = await _imported(console, settings, body, "partnership agreement with IOM")
    assert '<dd id="imp-rows">11</dd>' in done.text
    assert '<dd id="imp-created">8</dd>' in done.text
    assert '<dd id="imp-refused">3</dd>' in done.text
    refusals = re.search(r'name="refusals" value="([^"]*)"', done.text)
    assert refusals
    token = CSRF_FIELD.search(done.text)
    assert token
    download = await console.post(
        "/console/subscribers/import/refusals",
        data={"_csrf_token": token.group(1), "refusals": html.unescape(refusals.group(1))},
    )
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(download.text)))
    assert table[0] == ["line", "email", "reason"]
    assert [row[:2] for row in table[1:]] == [
        ["10", "not-an-address"],
        ["11", "person1@example.org"],
        ["12", "fine@example.org"],
    ]
    assert "duplicate of line 3" in table[2][2]
    assert all(row[2] for row in table[1:])
    page = await console.get("/console/subscribers/?list=partners")
    assert len(_ids(page)) == 8

    export = await console.get("/console/subscribers/export")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    exported = list(csv.reader(io.StringIO(export.text)))
    assert exported[0][:5] == ["email", "name", "organisation", "lang", "lists"]
    assert sorted(row[0] for row in exported[1:]) == sorted(f"person{n}@example.org" for n in range(8))


async def test_an_editor_is_refused_every_page(
    console: ConsoleClient, db: Database, settings: Settings
) -> None:
    await _lists()
    subscriber_id = await _add(settings, "a@example.org", ["partners"])
    await sign_in_as(console, "editor", lang="en")
    dashboard = await console.get("/console/")
    assert "/console/subscribers/" not in dashboard.text and "/console/lists/" not in dashboard.text
    for address in (
        "/console/lists/",
        "/console/lists/partners",
        "/console/subscribers/",
        "/console/subscribers/new",
        f"/console/subscribers/{subscriber_id}",
        f"/console/subscribers/{subscriber_id}/erase",
        "/console/subscribers/import",
        "/console/subscribers/export",
    ):
        refused = await console.get(address)
        assert refused.status_code == 403, address
        assert "a@example.org" not in refused.text
    erase = await console.submit("/console/", f"/console/subscribers/{subscriber_id}/erase", {})
    assert erase.status_code == 403
    assert (await get_list("partners")).active == 1


async def test_a_thousand_rows_with_ten_bad_ones(
    console: ConsoleClient, db: Database, settings: Settings
) -> None:
    await _lists()
    await sign_in_as(console, "admin", lang="ka")
    rows = ["email,name,organisation,lang,lists"]
    for number in range(1000):
        if number % 100 == 7:
            rows.append(f"broken-{number},Bad,,ka,partners")
        else:
            rows.append(f"p{number}@example.org,Person {number},Org,{'ka' if number % 2 else 'en'},partners")
    done = await _imported(console, settings, ("\n".join(rows) + "\n").encode(), "ხელშეკრულება პარტნიორებთან")
    assert '<dd id="imp-rows">1000</dd>' in done.text
    assert '<dd id="imp-created">990</dd>' in done.text
    assert '<dd id="imp-refused">10</dd>' in done.text
    refusals = re.search(r'name="refusals" value="([^"]*)"', done.text)
    token = CSRF_FIELD.search(done.text)
    assert refusals and token
    download = await console.post(
        "/console/subscribers/import/refusals",
        data={"_csrf_token": token.group(1), "refusals": html.unescape(refusals.group(1))},
    )
    table = list(csv.reader(io.StringIO(download.text)))
    assert [row[0] for row in table[1:]] == [str(number + 2) for number in range(7, 1000, 100)]
    assert [row[1] for row in table[1:]] == [f"broken-{number}" for number in range(7, 1000, 100)]
    assert (await get_list("partners")).active == 990
    again = await _imported(
        console, settings, ("\n".join(rows) + "\n").encode(), "ხელშეკრულება პარტნიორებთან"
    )
    assert '<dd id="imp-created">0</dd>' in again.text and '<dd id="imp-unchanged">990</dd>' in again.text
