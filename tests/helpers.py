"""Small helpers the tests share: making entries through the API."""

from typing import Any

import httpx

GEORGIAN_TITLE = "სახელმწიფო კომისიის 32-ე სხდომაზე მიგრაციის სტრატეგია დამტკიცდა"
ENGLISH_TITLE = "The 32nd sitting of the Commission adopted the migration strategy"


def bilingual(
    ka_title: str = GEORGIAN_TITLE, en_title: str | None = ENGLISH_TITLE, **extra: Any
) -> dict[str, Any]:
    translations: dict[str, Any] = {
        "ka": {
            "title": ka_title,
            "summary": "მოკლე აღწერა",
            "body": "კომისიამ **დაამტკიცა** სამოქმედო გეგმა.",
        }
    }
    if en_title is not None:
        translations["en"] = {
            "title": en_title,
            "summary": "Summary",
            "body": "The Commission *adopted* the plan.",
        }
    return {"translations": translations, **extra}


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str = "news", body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(f"/api/v1/{kind}", json=body or bilingual(), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def publish(
    client: httpx.AsyncClient, headers: dict[str, str], entry_id: str, kind: str = "news", **body: Any
) -> dict[str, Any]:
    response = await client.post(f"/api/v1/{kind}/{entry_id}/publish", json=body or None, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def create_published(
    client: httpx.AsyncClient, headers: dict[str, str], kind: str = "news", body: dict[str, Any] | None = None
) -> dict[str, Any]:
    entry = await create(client, headers, kind, body)
    return await publish(client, headers, entry["id"], kind)
