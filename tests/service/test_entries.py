"""Entries through the HTTP API: create, edit, publish, read; on SQLite and PostgreSQL."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import Staff
from tests.helpers import ENGLISH_TITLE, GEORGIAN_TITLE, bilingual, create, create_published, publish

KINDS = ["news", "events", "announcements", "materials"]


def event_body(**extra: object) -> dict[str, object]:
    return bilingual(starts_at="2026-12-18T10:00:00+04:00", ends_at="2026-12-18T13:00:00+04:00", **extra)


async def test_create_returns_a_draft_with_slugs_in_both_languages(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    entry = await create(client, staff.headers("author"))
    assert entry["status"] == "draft"
    assert entry["lang"] == "ka"
    assert entry["slug"] == "sakhelmtsipo-komisiis-32-e-skhdomaze-migratsiis-strategia-damtkitsda"
    assert {ref["lang"]: ref["slug"] for ref in entry["translations"]} == {
        "ka": "sakhelmtsipo-komisiis-32-e-skhdomaze-migratsiis-strategia-damtkitsda",
        "en": "the-32nd-sitting-of-the-commission-adopted-the-migration-strategy",
    }
    assert (
        entry["sources"]["ka"]["body_html"] == "<p>კომისიამ <strong>დაამტკიცა</strong> სამოქმედო გეგმა.</p>\n"
    )
    assert entry["author"] == "Author"
    assert entry["revision"] == 1


async def test_georgian_text_round_trips_byte_for_byte(client: httpx.AsyncClient, staff: Staff) -> None:
    # Every Mkhedruli letter, a Mtavruli capital, an emoji, combining marks and a right-to-left mark.
    text = "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ ᲡᲐᲥᲐᲠᲗᲕᲔᲚᲝ 🇬🇪 é\u0301 \u200f«ციტატა»"
    body = {"translations": {"ka": {"title": text, "summary": text, "body": text}}}
    entry = await create(client, staff.headers("editor"), body=body)
    await publish(client, staff.headers("editor"), entry["id"])
    response = await client.get(f"/api/v1/news/{entry['id']}?lang=ka")
    assert response.content.decode("utf-8").count(text) >= 2
    assert response.json()["title"] == text
    assert response.json()["summary"] == text


@pytest.mark.parametrize("kind", KINDS)
async def test_each_kind_publishes_and_lists_in_both_languages(
    client: httpx.AsyncClient, staff: Staff, kind: str
) -> None:
    body = event_body() if kind == "events" else bilingual()
    entry = await create_published(client, staff.headers("editor"), kind, body)
    assert entry["status"] == "published"
    for lang, title in (("ka", GEORGIAN_TITLE), ("en", ENGLISH_TITLE)):
        listing = (await client.get(f"/api/v1/{kind}?lang={lang}")).json()
        assert [item["title"] for item in listing["items"]] == [title]
        assert listing["next_cursor"] is None
        assert "status" not in listing["items"][0]
        assert "sources" not in listing["items"][0]


async def test_detail_by_either_slug_or_id(client: httpx.AsyncClient, staff: Staff) -> None:
    entry = await create_published(client, staff.headers("editor"))
    slugs = {ref["lang"]: ref["slug"] for ref in entry["translations"]}
    by_ka = (await client.get(f"/api/v1/news/{slugs['ka']}")).json()
    by_en = (await client.get(f"/api/v1/news/{slugs['en']}")).json()
    by_id = (
        await client.get(f"/api/v1/news/{entry['id']}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    ).json()
    assert (by_ka["lang"], by_ka["title"]) == ("ka", GEORGIAN_TITLE)
    assert (by_en["lang"], by_en["title"]) == ("en", ENGLISH_TITLE)
    assert by_id["lang"] == "en"
    assert by_ka["id"] == by_en["id"] == by_id["id"] == entry["id"]
    # ?lang= picks the language even when the slug is the other language's.
    assert (await client.get(f"/api/v1/news/{slugs['ka']}?lang=en")).json()["lang"] == "en"
    # The same slug under another kind is not found.
    assert (await client.get(f"/api/v1/events/{slugs['ka']}")).status_code == 404


async def test_language_negotiation_for_lists(client: httpx.AsyncClient, staff: Staff) -> None:
    await create_published(client, staff.headers("editor"), body=bilingual(en_title=None))
    await create_published(
        client, staff.headers("editor"), body=bilingual(ka_title="მეორე", en_title="Second")
    )
    georgian = (await client.get("/api/v1/news")).json()["items"]
    english = (await client.get("/api/v1/news", headers={"Accept-Language": "en-US,en;q=0.8"})).json()[
        "items"
    ]
    explicit = (await client.get("/api/v1/news?lang=ka", headers={"Accept-Language": "en"})).json()["items"]
    assert [item["lang"] for item in georgian] == ["ka", "ka"]
    assert [item["title"] for item in english] == ["Second"]  # only entries with an English translation
    assert [item["lang"] for item in explicit] == ["ka", "ka"]
    assert (await client.get("/api/v1/news?lang=fr")).status_code == 400


async def test_published_slug_keeps_resolving_after_title_edit(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    entry = await create_published(client, staff.headers("editor"))
    old_slug = entry["slug"]
    response = await client.patch(
        f"/api/v1/news/{entry['id']}",
        json={"translations": {"ka": {"title": "ახალი სათაური"}}},
        headers=staff.headers("editor"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["slug"] == "akhali-satauri"
    old = await client.get(f"/api/v1/news/{old_slug}")
    new = await client.get("/api/v1/news/akhali-satauri")
    assert old.status_code == new.status_code == 200
    assert old.json()["title"] == new.json()["title"] == "ახალი სათაური"
    assert old.json()["slug"] == "akhali-satauri"


async def test_clashing_slugs_get_numeric_suffixes_per_kind_and_language(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    headers = staff.headers("author")
    first = await create(client, headers, body=bilingual(ka_title="სხდომა", en_title="Sitting"))
    second = await create(client, headers, body=bilingual(ka_title="სხდომა!", en_title="Sitting?"))
    third = await create(client, headers, body=bilingual(ka_title="სხდომა", en_title="sitting"))
    other_kind = await create(client, headers, "materials", bilingual(ka_title="სხდომა", en_title="Sitting"))
    assert [entry["slug"] for entry in (first, second, third, other_kind)] == [
        "skhdoma", "skhdoma-2", "skhdoma-3", "skhdoma",
    ]  # fmt: skip
    assert [e["translations"][1]["slug"] for e in (first, second, third)] == [
        "sitting",
        "sitting-2",
        "sitting-3",
    ]


async def test_unpublished_states_are_invisible_to_the_public(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    draft = await create(client, editor, body=bilingual("დრაფტი", "Draft"))
    scheduled = await create(client, editor, body=bilingual("დაგეგმილი", "Scheduled"))
    await publish(client, editor, scheduled["id"], at=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    embargoed = await create(client, editor, body=bilingual("ემბარგო", "Embargoed"))
    await publish(
        client, editor, embargoed["id"], embargo_until=(datetime.now(UTC) + timedelta(hours=2)).isoformat()
    )
    archived = await create_published(client, editor, body=bilingual("არქივი", "Archived"))
    assert (await client.delete(f"/api/v1/news/{archived['id']}", headers=editor)).json()[
        "status"
    ] == "archived"
    unpublished = await create_published(client, editor, body=bilingual("მოხსნილი", "Unpublished"))
    await client.post(f"/api/v1/news/{unpublished['id']}/unpublish", headers=editor)
    visible = await create_published(client, editor, body=bilingual("ხილული", "Visible"))

    hidden = [draft, scheduled, embargoed, archived, unpublished]
    for lang in ("ka", "en"):
        items = (await client.get(f"/api/v1/news?lang={lang}")).json()["items"]
        assert [item["id"] for item in items] == [visible["id"]]
        for q in ("დრაფტი", "Draft", "Scheduled", "Embargoed", "Archived", "Unpublished"):
            assert (await client.get("/api/v1/news", params={"q": q, "lang": lang})).json()["items"] == []
    for entry in hidden:
        for ref in [entry["id"], *[t["slug"] for t in entry["translations"]]]:
            assert (await client.get(f"/api/v1/news/{ref}")).status_code == 404
            staff_view = await client.get(f"/api/v1/news/{ref}", headers=staff.headers("author"))
            assert staff_view.status_code == 200
    statuses = {
        status: [
            item["id"]
            for item in (await client.get(f"/api/v1/news?status={status}", headers=editor)).json()["items"]
        ]
        for status in ("draft", "scheduled", "archived")
    }
    assert statuses == {
        "draft": [unpublished["id"], draft["id"]],
        "scheduled": [scheduled["id"]],
        "archived": [archived["id"]],
    }
    assert (await client.get("/api/v1/news?status=draft")).status_code == 422


async def test_embargo_lifts_by_itself(client: httpx.AsyncClient, staff: Staff) -> None:
    entry = await create(client, staff.headers("editor"))
    until = datetime.now(UTC) + timedelta(seconds=1.5)
    await publish(client, staff.headers("editor"), entry["id"], embargo_until=until.isoformat())
    assert (await client.get(f"/api/v1/news/{entry['id']}")).status_code == 404
    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
    assert (await client.get(f"/api/v1/news/{entry['id']}")).status_code == 200


async def test_keyset_pagination_walks_every_entry_once(client: httpx.AsyncClient, staff: Staff) -> None:
    ids = []
    for number in range(7):
        entry = await create_published(
            client, staff.headers("editor"), body=bilingual(f"სიახლე {number}", f"News {number}")
        )
        ids.append(entry["id"])
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "3", "lang": "en", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/news", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(ids))
    for bad in ("0", "101", "x"):
        response = await client.get(f"/api/v1/news?limit={bad}")
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
    bad_cursor = await client.get("/api/v1/news?cursor=bm90LWEtY3Vyc29y")
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["errors"][0]["field"] == "cursor"


async def test_topic_filter(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    for slug, ka, en in (
        ("emigration", "ემიგრაცია", "Emigration"),
        ("reintegration", "რეინტეგრაცია", "Reintegration"),
    ):
        response = await client.post(
            "/api/v1/topics", json={"slug": slug, "name": {"ka": ka, "en": en}}, headers=editor
        )
        assert response.status_code == 201
    tagged = await create_published(client, editor, body=bilingual(topics=["emigration"]))
    await create_published(client, editor, body=bilingual("სხვა", "Other", topics=["reintegration"]))
    items = (await client.get("/api/v1/news?topic=emigration")).json()["items"]
    assert [item["id"] for item in items] == [tagged["id"]]
    assert items[0]["topics"] == [{"slug": "emigration", "name": {"ka": "ემიგრაცია", "en": "Emigration"}}]
    assert (await client.get("/api/v1/news?topic=nothing")).json()["items"] == []
    unknown = await client.post("/api/v1/news", json=bilingual(topics=["nothing"]), headers=editor)
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"field": "topics[0]", "message": "unknown topic 'nothing'"}]


async def test_events_filter_by_start_time(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    december = await create_published(client, editor, "events", event_body())
    january = await create_published(
        client, editor, "events", bilingual("იანვარი", "January", starts_at="2027-01-20T09:00:00+04:00")
    )
    in_december = (
        await client.get(
            "/api/v1/events", params={"from": "2026-12-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}
        )
    ).json()
    from_january = (await client.get("/api/v1/events", params={"from": "2027-01-01T00:00:00Z"})).json()
    assert [item["id"] for item in in_december["items"]] == [december["id"]]
    assert [item["id"] for item in from_january["items"]] == [january["id"]]
    event = in_december["items"][0]
    assert event["starts_at"] == "2026-12-18T06:00:00Z"
    assert event["timezone"] == "Asia/Tbilisi"
    assert "deadline" not in event
    assert (await client.get("/api/v1/news?from=2026-01-01T00:00:00Z")).status_code == 422


async def test_kind_fields_are_checked(client: httpx.AsyncClient, staff: Staff) -> None:
    author = staff.headers("author")
    wrong_kind = await client.post(
        "/api/v1/news", json=bilingual(starts_at="2026-12-18T10:00:00+04:00"), headers=author
    )
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["errors"][0]["field"] == "starts_at"
    backwards = await client.post(
        "/api/v1/events",
        json=bilingual(starts_at="2026-12-18T10:00:00+04:00", ends_at="2026-12-18T09:00:00+04:00"),
        headers=author,
    )
    assert backwards.json()["errors"][0]["field"] == "ends_at"
    bad_zone = await client.post("/api/v1/events", json=event_body(timezone="Mars/Olympus"), headers=author)
    assert bad_zone.json()["errors"][0]["field"] == "timezone"
    naive = await client.post(
        "/api/v1/events", json=bilingual(starts_at="2026-12-18T10:00:00"), headers=author
    )
    assert naive.status_code == 400
    no_start = await create(client, staff.headers("editor"), "events", bilingual())
    refused = await client.post(f"/api/v1/events/{no_start['id']}/publish", headers=staff.headers("editor"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "starts_at"
    announcement = await create(
        client, author, "announcements",
        bilingual(deadline="2027-02-01T18:00:00+04:00", external_url="https://migration.commission.ge/call"),
    )  # fmt: skip
    assert announcement["deadline"] == "2027-02-01T14:00:00Z"
    material = await create(client, author, "materials", bilingual(material_type="report"))
    assert material["material_type"] == "report"
    bad_type = await client.post("/api/v1/materials", json=bilingual(material_type="poem"), headers=author)
    assert bad_type.status_code == 400


async def test_bodies_are_sanitised(client: httpx.AsyncClient, staff: Staff) -> None:
    hostile = (
        "<script>alert(1)</script><img src=x onerror=alert(1)>"
        '[a](javascript:alert(1)) <a href="javascript:alert(2)">b</a> <iframe src=//evil></iframe>'
        '<p style="x" onclick="y">ok</p>'
    )
    entry = await create(
        client, staff.headers("author"), body={"translations": {"en": {"title": "X", "body": hostile}}}
    )
    html = entry["sources"]["en"]["body_html"]
    for forbidden in ("<script", "onerror", 'href="javascript', "<iframe", "onclick", "style="):
        assert forbidden not in html
    # Markdown refuses the javascript: link, so it stays inert text.
    assert "[a](javascript:alert(1))" in html
    assert "ok" in html


async def test_revisions_record_who_changed_what(client: httpx.AsyncClient, staff: Staff) -> None:
    entry = await create(client, staff.headers("author"))
    await client.patch(
        f"/api/v1/news/{entry['id']}",
        json={"translations": {"en": {"summary": "New summary"}}},
        headers=staff.headers("author"),
    )
    await publish(client, staff.headers("editor"), entry["id"])
    response = await client.get(f"/api/v1/news/{entry['id']}/revisions", headers=staff.headers("author"))
    assert response.status_code == 200
    revisions = response.json()
    assert [(r["number"], r["action"], r["staff_name"]) for r in revisions] == [
        (3, "publish", "Editor"), (2, "edit", "Author"), (1, "create", "Author"),
    ]  # fmt: skip
    assert revisions[1]["changed"] == ["translations.en.summary"]
    assert "status" in revisions[0]["changed"]
    assert (await client.get(f"/api/v1/news/{entry['id']}/revisions")).status_code == 401


async def test_authors_edit_only_their_own_drafts(client: httpx.AsyncClient, staff: Staff) -> None:
    entry = await create(client, staff.headers("author"))
    change = {"translations": {"ka": {"summary": "ცვლილება"}}}
    assert (
        await client.patch(f"/api/v1/news/{entry['id']}", json=change, headers=staff.headers("author2"))
    ).status_code == 403
    assert (
        await client.patch(f"/api/v1/news/{entry['id']}", json=change, headers=staff.headers("author"))
    ).status_code == 200
    await publish(client, staff.headers("editor"), entry["id"])
    assert (
        await client.patch(f"/api/v1/news/{entry['id']}", json=change, headers=staff.headers("author"))
    ).status_code == 403
    assert (
        await client.patch(f"/api/v1/news/{entry['id']}", json=change, headers=staff.headers("editor"))
    ).status_code == 200
    for action in ("publish", "unpublish"):
        assert (
            await client.post(f"/api/v1/news/{entry['id']}/{action}", headers=staff.headers("author"))
        ).status_code == 403
    assert (
        await client.delete(f"/api/v1/news/{entry['id']}", headers=staff.headers("author"))
    ).status_code == 403


async def test_translations_can_be_added_and_removed_but_not_all(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    entry = await create(client, editor, body=bilingual(en_title=None))
    no_title = await client.patch(
        f"/api/v1/news/{entry['id']}", json={"translations": {"en": {"summary": "x"}}}, headers=editor
    )
    assert no_title.status_code == 422
    added = await client.patch(
        f"/api/v1/news/{entry['id']}", json={"translations": {"en": {"title": "Added"}}}, headers=editor
    )
    assert [ref["lang"] for ref in added.json()["translations"]] == ["ka", "en"]
    removed = await client.patch(
        f"/api/v1/news/{entry['id']}", json={"translations": {"ka": None}}, headers=editor
    )
    assert [ref["lang"] for ref in removed.json()["translations"]] == ["en"]
    await publish(client, editor, entry["id"])
    assert (await client.get("/api/v1/news?lang=ka")).json()["items"] == []
    none_left = await client.patch(
        f"/api/v1/news/{entry['id']}", json={"translations": {"en": None}}, headers=editor
    )
    assert none_left.status_code == 422


async def test_workflow_conflicts(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    entry = await create(client, editor)
    assert (await client.post(f"/api/v1/news/{entry['id']}/unpublish", headers=editor)).status_code == 409
    await client.delete(f"/api/v1/news/{entry['id']}", headers=editor)
    assert (await client.post(f"/api/v1/news/{entry['id']}/publish", headers=editor)).status_code == 409
    assert (await client.delete(f"/api/v1/news/{entry['id']}", headers=editor)).status_code == 409
    restored = await client.post(f"/api/v1/news/{entry['id']}/unpublish", headers=editor)
    assert restored.json()["status"] == "draft"
    # A publish of another kind's entry by id is not found.
    assert (await client.post(f"/api/v1/events/{entry['id']}/publish", headers=editor)).status_code == 404
    assert (await client.patch("/api/v1/news/not-an-id", json={}, headers=editor)).status_code == 404


async def test_scheduling_in_the_past_publishes_now(client: httpx.AsyncClient, staff: Staff) -> None:
    entry = await create(client, staff.headers("editor"))
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    published = await publish(client, staff.headers("editor"), entry["id"], at=past)
    assert published["status"] == "published"


async def test_search_finds_georgian_words_in_any_form(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    sitting = await create_published(
        client,
        editor,
        body=bilingual("კომისიის სხდომაზე სტრატეგია განიხილეს", "Commission sitting discussed strategies"),
    )
    other = await create_published(
        client, editor, body={"translations": {"ka": {"title": "ემიგრანტების შეხვედრა", "body": "ბათუმში"}}}
    )
    for query in ("სხდომა", "სხდომაზე", "სხდომის", "სტრატეგიის", "კომისია სტრატეგია"):
        found = (await client.get("/api/v1/news", params={"q": query, "lang": "ka"})).json()["items"]
        assert [item["id"] for item in found] == [sitting["id"]], query
    body_hit = (await client.get("/api/v1/news", params={"q": "ბათუმი"})).json()["items"]
    assert [item["id"] for item in body_hit] == [other["id"]]
    for query in ("sitting", "strategy", "COMMISSION"):
        found = (await client.get("/api/v1/news", params={"q": query, "lang": "en"})).json()["items"]
        assert [item["id"] for item in found] == [sitting["id"]], query
    for hostile in ('"', "*", "a OR b", "NEAR(x y)", "%_%", "' OR 1=1 --", "სხ:*|!", "^", "\\"):
        response = await client.get("/api/v1/news", params={"q": hostile})
        assert response.status_code == 200, hostile
    edited = await client.patch(
        f"/api/v1/news/{sitting['id']}",
        json={"translations": {"ka": {"title": "ახალი სათაური"}}},
        headers=editor,
    )
    assert edited.status_code == 200
    assert (await client.get("/api/v1/news", params={"q": "ახალი"})).json()["items"][0]["id"] == sitting["id"]
    # The old title's words left the index with it (the body and summary still hold theirs).
    assert (await client.get("/api/v1/news", params={"q": "განიხილეს"})).json()["items"] == []


async def test_an_unchanged_time_is_not_a_change(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    event = await create(client, editor, "events", event_body())
    same_instant = {"starts_at": "2026-12-18T06:00:00Z", "ends_at": "2026-12-18T13:00:00+04:00"}
    await client.patch(f"/api/v1/events/{event['id']}", json=same_instant, headers=editor)
    moved = {"starts_at": "2026-12-18T11:00:00+04:00"}
    await client.patch(f"/api/v1/events/{event['id']}", json=moved, headers=editor)
    revisions = (await client.get(f"/api/v1/events/{event['id']}/revisions", headers=editor)).json()
    assert [revision["changed"] for revision in revisions[:2]] == [["starts_at"], []]
