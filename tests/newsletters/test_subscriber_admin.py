"""Lists and subscribers for admins: roles, search, add on a basis, edit, erase, history, export."""

import csv
import io

import pytest

from accounts.staff import add_staff
from newsletters.suppression import recipients
from newsletters.tables import ConsentEvent, Subscriber
from tests.newsletters.conftest import Newsroom

PARTNER = {
    "email": "Office@IOM.example.org",
    "name": "ლევან ჯავახიშვილი",
    "organisation": "IOM Georgia",
    "lang": "en",
    "basis": "partnership agreement 7/2025, clause 4",
    "lists": ["partners", "commission"],
}


async def add(room: Newsroom, **changes: object) -> dict[str, object]:
    response = await room.client.post("/api/v1/subscribers", json={**PARTNER, **changes}, headers=room.admin)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", ["/api/v1/subscribers", "/api/v1/subscribers/export"])
async def test_only_admins_see_subscribers(newsroom: Newsroom, path: str) -> None:
    editor = (await add_staff("editor@scmi.test", "editor", name="Editor")).token
    assert (await newsroom.client.get(path)).status_code == 401
    assert (await newsroom.client.get(path, headers={"Authorization": f"Bearer {editor}"})).status_code == 403
    assert (await newsroom.client.get(path, headers=newsroom.admin)).status_code == 200


async def test_editors_read_lists_with_their_counts_but_change_none_and_see_no_one_on_them(
    newsroom: Newsroom,
) -> None:
    editor = {"Authorization": f"Bearer {(await add_staff('editor@scmi.test', 'editor', name='E')).token}"}
    author = {"Authorization": f"Bearer {(await add_staff('author@scmi.test', 'author', name='A')).token}"}
    await add(newsroom)  # active on partners and commission
    await newsroom.subscribe("pending@example.ge", lists=["partners"])
    assert (await newsroom.client.get("/api/v1/lists")).status_code == 401
    assert (await newsroom.client.get("/api/v1/lists", headers=author)).status_code == 403
    listed = await newsroom.client.get("/api/v1/lists", headers=editor)
    assert listed.status_code == 200
    by_slug = {item["slug"]: item for item in listed.json()}
    assert set(by_slug) == {"press", "partners", "commission"}
    assert by_slug["partners"]["counts"] == {"pending": 1, "active": 1, "unsubscribed": 0}
    assert by_slug["commission"]["name"] == {"ka": "კომისიის წევრები", "en": "Commission members"}
    one = await newsroom.client.get("/api/v1/lists/partners", headers=editor)
    assert one.status_code == 200 and one.json()["description"] == {"ka": "", "en": ""}
    assert "example" not in listed.text + one.text  # counts, never addresses
    changed = await newsroom.client.patch("/api/v1/lists/partners", json={"public": False}, headers=editor)
    assert changed.status_code == 403
    added = await newsroom.client.post(
        "/api/v1/lists", json={"slug": "x", "name": {"ka": "ა", "en": "b"}}, headers=editor
    )
    assert added.status_code == 403
    for path in ("/api/v1/subscribers", "/api/v1/subscribers/export"):
        assert (await newsroom.client.get(path, headers=editor)).status_code == 403


async def test_lists_are_created_changed_and_counted(newsroom: Newsroom) -> None:
    clash = await newsroom.client.post(
        "/api/v1/lists", json={"slug": "press", "name": {"ka": "ა", "en": "b"}}, headers=newsroom.admin
    )
    assert clash.status_code == 409
    blank = await newsroom.client.post(
        "/api/v1/lists", json={"slug": "x", "name": {"ka": " ", "en": "b"}}, headers=newsroom.admin
    )
    assert blank.status_code == 422
    changed = await newsroom.client.patch(
        "/api/v1/lists/commission",
        json={"public": True, "description": {"ka": "კომისიის სიახლეები", "en": "Commission news"}},
        headers=newsroom.admin,
    )
    assert changed.status_code == 200
    assert changed.json()["public"] is True
    await add(newsroom)
    await newsroom.subscribe("pending@example.ge", lists=["partners"])
    by_slug = {
        item["slug"]: item
        for item in (await newsroom.client.get("/api/v1/lists", headers=newsroom.admin)).json()
    }
    assert (by_slug["partners"]["active"], by_slug["partners"]["pending"]) == (1, 1)
    assert by_slug["press"]["name"] == {"ka": "პრესა", "en": "Press"}
    assert (await newsroom.client.get("/api/v1/lists/none", headers=newsroom.admin)).status_code == 404


async def test_staff_add_a_subscriber_on_a_recorded_basis(newsroom: Newsroom) -> None:
    person = await add(newsroom)
    assert person["email"] == "office@iom.example.org"
    assert person["status"] == "active"
    assert [(item["list"], item["status"]) for item in person["lists"]] == [  # type: ignore[attr-defined]
        ("commission", "active"),
        ("partners", "active"),
    ]
    [event] = await newsroom.history(str(person["id"]))
    assert (event["action"], event["basis"], event["source"]) == ("staff_add", PARTNER["basis"], "staff")
    assert event["staff_id"]
    assert (
        await newsroom.client.post("/api/v1/subscribers", json=PARTNER, headers=newsroom.admin)
    ).status_code == 409
    no_basis = await newsroom.client.post(
        "/api/v1/subscribers", json={**PARTNER, "email": "b@example.ge", "basis": ""}, headers=newsroom.admin
    )
    assert no_basis.status_code == 400


async def test_search_takes_quotes_braces_wildcards_and_backslashes_as_typed(newsroom: Newsroom) -> None:
    # On PostgreSQL the typed text is written into the statement as a constant (for its plan): each
    # character that means something to SQL, LIKE or the query builder must still mean only itself.
    odd = "O'Brien {0} & {} 100%_\\ Partners"
    await add(newsroom, email="obrien@example.ie", organisation=odd)
    await add(newsroom, email="other@example.ie", organisation="OXBrien 1000 Partners")

    async def emails(q: str) -> list[str]:
        response = await newsroom.client.get("/api/v1/subscribers", params={"q": q}, headers=newsroom.admin)
        assert response.status_code == 200, response.text
        return sorted(item["email"] for item in response.json()["items"])

    assert await emails(odd.upper()) == ["obrien@example.ie"]
    for fragment in ("o'brien", "{0} & {}", "100%_", "%_\\", "'", "{", "}"):
        assert await emails(fragment) == ["obrien@example.ie"], fragment
    assert await emails("o_brien") == []  # `_` is not LIKE's any-character
    assert await emails("100%") == ["obrien@example.ie"]  # nor `%` any text: "1000" does not match
    assert await emails("'; DROP TABLE subscriber; --") == []
    assert await emails("obrien\x00@") == ["obrien@example.ie"]  # NUL, which PostgreSQL text cannot hold
    assert len(await emails("example.ie")) == 2


async def test_search_by_address_name_organisation_status_and_list(newsroom: Newsroom) -> None:
    await add(newsroom)
    await add(
        newsroom, email="editor@netgazeti.example.ge", name="ნათია", organisation="ნეტგაზეთი", lists=["press"]
    )
    await newsroom.subscribe("pending@example.ge", lists=["press"])

    async def emails(**params: str) -> list[str]:
        response = await newsroom.client.get("/api/v1/subscribers", params=params, headers=newsroom.admin)
        assert response.status_code == 200, response.text
        return sorted(item["email"] for item in response.json()["items"])

    assert await emails(q="NETGAZETI") == ["editor@netgazeti.example.ge"]
    assert await emails(q="ნათია") == ["editor@netgazeti.example.ge"]
    assert await emails(q="iom georgia") == ["office@iom.example.org"]
    assert await emails(status="pending") == ["pending@example.ge"]
    assert await emails(list="press") == ["editor@netgazeti.example.ge", "pending@example.ge"]
    assert await emails(list="press", status="active") == ["editor@netgazeti.example.ge"]
    bad = await newsroom.client.get("/api/v1/subscribers", params={"status": "gone"}, headers=newsroom.admin)
    assert bad.status_code == 400
    first = (
        await newsroom.client.get("/api/v1/subscribers", params={"limit": 2}, headers=newsroom.admin)
    ).json()
    rest = (
        await newsroom.client.get(
            "/api/v1/subscribers", params={"limit": 2, "cursor": first["next_cursor"]}, headers=newsroom.admin
        )
    ).json()
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None


async def test_staff_edit_details_and_lists(newsroom: Newsroom) -> None:
    person = await add(newsroom)
    path = f"/api/v1/subscribers/{person['id']}"
    edited = await newsroom.client.patch(
        path, json={"organisation": "IOM", "lang": "ka"}, headers=newsroom.admin
    )
    assert (edited.json()["organisation"], edited.json()["lang"]) == ("IOM", "ka")
    needs_basis = await newsroom.client.patch(path, json={"lists": ["press"]}, headers=newsroom.admin)
    assert needs_basis.status_code == 422
    moved = await newsroom.client.patch(
        path, json={"lists": ["press"], "basis": "asked by phone, 2026-11-20"}, headers=newsroom.admin
    )
    assert {item["list"]: item["status"] for item in moved.json()["lists"]} == {
        "commission": "unsubscribed",
        "partners": "unsubscribed",
        "press": "active",
    }
    assert [r.email async for r in recipients(["partners"])] == []
    assert [event["action"] for event in await newsroom.history(str(person["id"]))] == [
        "staff_add",
        "staff_edit",
    ]


async def test_erasure_forgets_the_person_keeps_counts_and_blocks_re_adding(newsroom: Newsroom) -> None:
    await newsroom.subscribe("erase.me@example.ge", name="ეკა", organisation="Org", lists=["press"])
    person = await newsroom.find("erase.me@example.ge")
    token_row = await Subscriber.select(Subscriber.token).where(Subscriber.id == person["id"]).first()
    assert token_row is not None

    response = await newsroom.client.delete(f"/api/v1/subscribers/{person['id']}", headers=newsroom.admin)
    assert response.status_code == 204
    erased = (await newsroom.client.get(f"/api/v1/subscribers/{person['id']}", headers=newsroom.admin)).json()
    assert (erased["email"], erased["name"], erased["organisation"], erased["status"]) == (
        None,
        "",
        "",
        "erased",
    )
    assert erased["erased_at"]
    row = await Subscriber.select().where(Subscriber.id == person["id"]).first()
    assert row is not None
    assert row["token"] is None
    assert len(row["address_key"]) == 64
    raw = str(await Subscriber.select().where(Subscriber.id == person["id"]))
    assert "erase.me" not in raw
    assert "ეკა" not in raw
    events = await ConsentEvent.select().where(ConsentEvent.subscriber == person["id"])
    assert [event["action"] for event in events] == ["subscribe", "erase"]
    assert all(event["ip"] == "" and event["user_agent"] == "" for event in events)
    # Counts stay: the list still counts the place, now as left.
    assert (
        await newsroom.client.get("/api/v1/subscribers", params={"status": "erased"}, headers=newsroom.admin)
    ).json()["items"][0]["lists"][0]["status"] == "unsubscribed"
    # Old links die, staff cannot re-add, a re-run of the erasure is harmless.
    assert (await newsroom.client.get(f"/subscriptions/preferences/{token_row['token']}")).status_code == 404
    readd = await newsroom.client.post(
        "/api/v1/subscribers",
        json={"email": "ERASE.ME@example.ge", "basis": "old spreadsheet", "lists": ["press"]},
        headers=newsroom.admin,
    )
    assert readd.status_code == 409
    assert (
        await newsroom.client.delete(f"/api/v1/subscribers/{person['id']}", headers=newsroom.admin)
    ).status_code == 204
    # The person may come back by their own confirmed wish.
    assert (await newsroom.subscribe("erase.me@example.ge")).status_code == 202
    assert (await newsroom.find("erase.me@example.ge"))["status"] == "pending"


async def test_export_streams_csv_without_erased_or_left_people(newsroom: Newsroom) -> None:
    await add(newsroom)
    await add(newsroom, email="gone@example.ge", lists=["press"])
    gone = await newsroom.find("gone@example.ge")
    await newsroom.client.delete(f"/api/v1/subscribers/{gone['id']}", headers=newsroom.admin)
    async with newsroom.client.stream(
        "GET", "/api/v1/subscribers/export", headers=newsroom.admin
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        body = b"".join([chunk async for chunk in response.aiter_bytes()])
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [(row["email"], row["name"], row["lists"]) for row in rows] == [
        ("office@iom.example.org", "ლევან ჯავახიშვილი", "commission;partners")
    ]


async def test_unknown_subscriber_is_404(newsroom: Newsroom) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for method in ("GET", "DELETE"):
        response = await newsroom.client.request(
            method, f"/api/v1/subscribers/{missing}", headers=newsroom.admin
        )
        assert response.status_code == 404
    assert (
        await newsroom.client.get(f"/api/v1/subscribers/{missing}/consent", headers=newsroom.admin)
    ).status_code == 404
