"""Search across kinds through the HTTP API: ranked, both languages, escaped snippets, paging; SQLite and PG."""

from datetime import timedelta
from typing import Any

import httpx

from core.db import utcnow
from tests.conftest import Staff
from tests.helpers import bilingual, create, create_published, publish

EVENT_TIMES = {"starts_at": "2026-12-18T10:00:00+04:00", "ends_at": "2026-12-18T13:00:00+04:00"}


async def search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def found(page: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(item["kind"], item["lang"], item["id"]) for item in page["items"]}


async def test_georgian_word_forms_are_found_across_kinds_in_one_or_both_languages(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    news = await create_published(
        client, editor, "news", bilingual("კომისიის სხდომა გაიმართა", "A sitting was held")
    )
    event = await create_published(
        client,
        editor,
        "events",
        bilingual("სხდომაზე განიხილება გეგმა", "The plan at the sitting", **EVENT_TIMES),
    )
    material = await create_published(
        client,
        editor,
        "materials",
        bilingual("სხდომის ოქმი", "Minutes of the sitting", material_type="report"),
    )
    await create_published(client, editor, "announcements", bilingual("ვაკანსია", "A vacancy"))

    georgian = await search(client, q="სხდომით", lang="ka")
    assert found(georgian) == {
        ("news", "ka", news["id"]),
        ("events", "ka", event["id"]),
        ("materials", "ka", material["id"]),
    }
    assert all("<mark>" in item["snippet"] for item in georgian["items"])

    english = await search(client, q="sittings", lang="en")
    assert {item["lang"] for item in english["items"]} == {"en"}
    assert {item["kind"] for item in english["items"]} == {"news", "events", "materials"}

    # Without lang both languages answer, each text as its own item.
    both = await search(client, q="სხდომა sitting")
    assert both["items"] == []  # every word must match one text: no text has both
    ka_and_en = (await search(client, q="სხდომის"))["items"] + (await search(client, q="sitting"))["items"]
    assert len(ka_and_en) == 6
    assert {item["lang"] for item in (await search(client, q="სხდომას"))["items"]} == {"ka"}

    only_events = await search(client, q="სხდომა", kind="events")
    assert found(only_events) == {("events", "ka", event["id"])}


async def test_better_matches_rank_first(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    weak = await create_published(
        client,
        editor,
        body=bilingual(
            "ანგარიში", "A long report on many things: budgets, staff, buildings, plans and a strategy"
        ),
    )
    strong = await create_published(
        client, editor, body=bilingual("სტრატეგია", "Strategy, the strategy of strategies")
    )
    page = await search(client, q="strategy", lang="en")
    assert [item["id"] for item in page["items"]] == [strong["id"], weak["id"]]


async def test_snippets_are_escaped_plain_text_with_marks(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    body = bilingual("<script>alert(1)</script> სხდომა", "<script>alert(1)</script> sitting")
    body["translations"]["en"]["body"] = (
        'The **sitting** was <b onclick="x()">loud</b> & [long](https://x.test/).'
    )
    await create_published(client, editor, body=body)
    (item,) = (await search(client, q="sitting", lang="en"))["items"]
    snippet = item["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<b" not in snippet and "onclick" not in snippet
    assert "<strong>" not in snippet and "**" not in snippet
    assert "&amp;" in snippet
    assert "<mark>sitting</mark>" in snippet
    # Nothing but <mark> is markup in a snippet.
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert item["title"] == "<script>alert(1)</script> sitting"  # JSON text, for the website to escape


async def test_paging_walks_every_result_once(client: httpx.AsyncClient, staff: Staff) -> None:
    editor = staff.headers("editor")
    made: set[tuple[str, str]] = set()
    for number in range(7):
        words = " ".join(["strategy"] * (1 + number % 3))
        entry = await create_published(
            client,
            editor,
            "news" if number % 2 else "materials",
            bilingual(
                f"სტრატეგია {number}",
                f"{words} {number}",
                **({} if number % 2 else {"material_type": "report"}),
            ),
        )
        made.update({(entry["id"], "ka"), (entry["id"], "en")})
    seen: list[tuple[str, str]] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"q": "strategy", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = await search(client, **params)
        seen += [(item["id"], item["lang"]) for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == {pair for pair in made if pair[1] == "en"}
    assert pages == 3

    both: list[tuple[str, str]] = []
    cursor = None
    for query in ("სტრატეგია", "strategy"):
        cursor = None
        while True:
            page = await search(client, q=query, limit=2, **({"cursor": cursor} if cursor else {}))
            both += [(item["id"], item["lang"]) for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    assert sorted(both) == sorted(made)


async def test_drafts_scheduled_embargoed_and_archived_are_never_found(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    await create(client, editor, body=bilingual("საიდუმლო სხდომა", "Secret sitting"))
    scheduled = await create(client, editor, body=bilingual("საიდუმლო სხდომა", "Secret sitting"))
    await publish(client, editor, scheduled["id"], at=(utcnow() + timedelta(days=1)).isoformat())
    embargoed = await create(client, editor, body=bilingual("საიდუმლო სხდომა", "Secret sitting"))
    await publish(client, editor, embargoed["id"], embargo_until=(utcnow() + timedelta(days=1)).isoformat())
    archived = await create_published(client, editor, body=bilingual("საიდუმლო სხდომა", "Secret sitting"))
    assert (await client.delete(f"/api/v1/news/{archived['id']}", headers=editor)).status_code == 200
    assert (await search(client, q="საიდუმლო"))["items"] == []
    assert (await search(client, q="secret"))["items"] == []
    # Staff tokens change nothing: search is the public's.
    response = await client.get("/api/v1/search", params={"q": "secret"}, headers=editor)
    assert response.json()["items"] == []


async def test_bad_parameters_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/search")).status_code == 400
    assert (await client.get("/api/v1/search", params={"q": "x", "lang": "fr"})).status_code == 400
    bad_kind = await client.get("/api/v1/search", params={"q": "sitting", "kind": "secrets"})
    assert bad_kind.status_code == 422
    bad_cursor = await client.get("/api/v1/search", params={"q": "sitting", "cursor": "bm90IG91cnM"})
    assert bad_cursor.status_code == 422
    assert bad_cursor.headers["content-type"].startswith("application/problem+json")
    # Search engine operators are words, not syntax.
    assert (await search(client, q='"x" OR NEAR(a b) * ^'))["items"] == []
