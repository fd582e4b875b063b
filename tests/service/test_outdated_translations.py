"""Outdated translations over HTTP: the mark in staff answers, the list filter, the route that clears it."""

from typing import Any

import httpx

from tests.conftest import Staff
from tests.helpers import bilingual, create, publish


def _marks(entry: dict[str, Any]) -> dict[str, bool]:
    return {lang: source["outdated"] for lang, source in entry["sources"].items()}


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    found: dict[str, Any] = response.json()
    return found


async def test_the_mark_is_set_by_an_edit_and_cleared_by_the_route(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    author, editor = staff.headers("author"), staff.headers("editor")
    entry = await create(client, author)
    base = f"/api/v1/news/{entry['id']}"
    assert _marks(entry) == {"ka": False, "en": False}
    edited = await client.patch(base, json={"translations": {"en": {"body": "New English."}}}, headers=author)
    assert edited.status_code == 200, edited.text
    assert _marks(edited.json()) == {"ka": True, "en": False}
    shown = await client.get(base, headers=editor)
    assert _marks(shown.json()) == {"ka": True, "en": False}
    etag = shown.headers["etag"]

    listed = await client.get(
        "/api/v1/news", params={"status": "draft", "translation": "outdated", "lang": "ka"}, headers=editor
    )
    assert [item["id"] for item in listed.json()["items"]] == [entry["id"]]
    none_en = await client.get(
        "/api/v1/news", params={"status": "draft", "translation": "outdated", "lang": "en"}, headers=editor
    )
    assert none_en.json()["items"] == []
    bad = _problem(await client.get("/api/v1/news", params={"translation": "stale"}, headers=editor), 422)
    assert bad["errors"][0]["field"] == "translation"
    _problem(await client.get("/api/v1/news", params={"translation": "outdated"}), 422)  # staff only

    # Refusals: another author, an unknown language, a language the entry lacks, an unknown entry.
    _problem(await client.post(f"{base}/translations/ka/current", headers=staff.headers("author2")), 403)
    unknown = _problem(await client.post(f"{base}/translations/fr/current", headers=author), 422)
    assert unknown["errors"][0]["field"] == "lang"
    lone = await create(client, author, body=bilingual(en_title=None))
    _problem(await client.post(f"/api/v1/news/{lone['id']}/translations/en/current", headers=author), 404)
    _problem(await client.post("/api/v1/news/not-an-id/translations/ka/current", headers=author), 404)
    assert _marks((await client.get(base, headers=editor)).json()) == {"ka": True, "en": False}

    cleared = await client.post(f"{base}/translations/ka/current", headers=author)
    assert cleared.status_code == 200, cleared.text
    assert _marks(cleared.json()) == {"ka": False, "en": False}
    after = await client.get(base, headers=editor)
    assert _marks(after.json()) == {"ka": False, "en": False}
    assert after.headers["etag"] == etag  # no revision: nothing the public or an If-Match sees moved


async def test_editing_the_outdated_language_clears_it_and_public_answers_do_not_change(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    entry = await create(client, editor)
    await publish(client, editor, entry["id"])
    base = f"/api/v1/news/{entry['id']}"
    public_before = (await client.get(base, params={"lang": "ka"})).json()
    await client.patch(base, json={"translations": {"en": {"title": "A new English title"}}}, headers=editor)
    public = (await client.get(base, params={"lang": "ka"})).json()
    assert "sources" not in public and "outdated" not in str(public)
    assert set(public) == set(public_before)
    listed = await client.get("/api/v1/news", params={"translation": "outdated"}, headers=editor)
    assert [item["id"] for item in listed.json()["items"]] == [entry["id"]]
    fixed = await client.patch(base, json={"translations": {"ka": {"summary": "ახალი"}}}, headers=editor)
    assert _marks(fixed.json()) == {"ka": False, "en": False}
    listed = await client.get("/api/v1/news", params={"translation": "outdated"}, headers=editor)
    assert listed.json()["items"] == []
