"""Preview links through the HTTP API: who makes them, what a token shows, and when it stops; SQLite and PG."""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from accounts.staff import add_staff
from content.tables import PreviewLink
from core.db import utcnow
from service.app import create_app
from service.cached_reads import CACHED_READ
from service.settings import Settings, SettingsError
from tests.conftest import Database, Staff, running, settings_with
from tests.helpers import ENGLISH_TITLE, bilingual, create, publish


async def make_link(
    client: httpx.AsyncClient, headers: dict[str, str], entry_id: str, kind: str = "news", **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/{kind}/{entry_id}/preview-link", json=body or None, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def assert_never_kept(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-robots-tag"] == "noindex"


async def test_a_draft_shows_in_the_public_shape_to_the_token_only(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    draft = await create(client, staff.headers("author"))
    link = await make_link(client, staff.headers("author"), draft["id"])
    assert link["url"] == f"https://newsroom.test/api/v1/preview/{link['token']}"
    expires_at = datetime.fromisoformat(link["expires_at"])
    assert timedelta(days=6, hours=23) < expires_at - datetime.now(UTC) <= timedelta(days=7)

    shown = await client.get(f"/api/v1/preview/{link['token']}")
    assert shown.status_code == 200, shown.text
    assert_never_kept(shown)
    body = shown.json()
    assert body["id"] == draft["id"]
    assert body["title"] == draft["title"]
    # The public shape: no status, revision or sources of staff answers.
    assert "status" not in body and "revision" not in body and "sources" not in body
    english = await client.get(f"/api/v1/preview/{link['token']}", params={"lang": "en"})
    assert english.json()["title"] == ENGLISH_TITLE

    # Nothing to revalidate against: no entity tag, and a guessed one still gets the whole answer.
    assert "etag" not in shown.headers
    again = await client.get(f"/api/v1/preview/{link['token']}", headers={"If-None-Match": "*"})
    assert again.status_code == 200 and again.json()["id"] == draft["id"]

    # The draft itself stays hidden from the public.
    assert (await client.get(f"/api/v1/news/{draft['id']}")).status_code == 404


async def test_only_a_hash_of_the_token_is_stored(client: httpx.AsyncClient, staff: Staff) -> None:
    draft = await create(client, staff.headers("author"))
    link = await make_link(client, staff.headers("author"), draft["id"])
    rows = await PreviewLink.select(PreviewLink.token_hash)
    assert [row["token_hash"] for row in rows] == [hashlib.sha256(link["token"].encode()).hexdigest()]
    assert link["token"] not in str(rows)


async def test_scheduled_and_embargoed_entries_preview_and_published_ones_show_the_published_text(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    editor = staff.headers("editor")
    scheduled = await create(client, editor)
    await publish(client, editor, scheduled["id"], at=(utcnow() + timedelta(days=2)).isoformat())
    embargoed = await create(client, editor, body=bilingual("ემბარგო სხდომა", "Embargoed sitting"))
    await publish(client, editor, embargoed["id"], embargo_until=(utcnow() + timedelta(days=1)).isoformat())
    for entry in (scheduled, embargoed):
        assert (await client.get(f"/api/v1/news/{entry['id']}")).status_code == 404
        link = await make_link(client, editor, entry["id"])
        shown = await client.get(f"/api/v1/preview/{link['token']}")
        assert shown.status_code == 200 and shown.json()["id"] == entry["id"]
        assert_never_kept(shown)

    draft = await create(client, staff.headers("author"))
    link = await make_link(client, staff.headers("author"), draft["id"])
    await publish(client, editor, draft["id"])
    edited = await client.patch(
        f"/api/v1/news/{draft['id']}",
        json={"translations": {"ka": {"title": "გამოქვეყნებული სათაური"}}},
        headers=editor,
    )
    assert edited.status_code == 200, edited.text
    shown = await client.get(f"/api/v1/preview/{link['token']}")
    assert shown.status_code == 200
    assert shown.json()["title"] == "გამოქვეყნებული სათაური"
    assert shown.json()["published_at"] is not None
    assert_never_kept(shown)


async def test_expired_revoked_and_forged_tokens_are_not_found(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    author = staff.headers("author")
    draft = await create(client, author)
    expiring = await make_link(client, author, draft["id"], expires_in_days=1)
    assert (await client.get(f"/api/v1/preview/{expiring['token']}")).status_code == 200
    # A day passes: the link's time is moved back rather than the clock forward.
    await PreviewLink.update({PreviewLink.expires_at: utcnow() - timedelta(seconds=1)}).where(
        PreviewLink.token_hash == hashlib.sha256(expiring["token"].encode()).hexdigest()
    )
    gone = await client.get(f"/api/v1/preview/{expiring['token']}")
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert_never_kept(gone)

    first = await make_link(client, author, draft["id"])
    second = await make_link(client, author, draft["id"])
    revoked = await client.delete(f"/api/v1/news/{draft['id']}/preview-link", headers=author)
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 2}
    for link in (first, second):
        assert (await client.get(f"/api/v1/preview/{link['token']}")).status_code == 404

    for forged in ("x", first["token"][:-1] + ("A" if first["token"][-1] != "A" else "B"), "a" * 500):
        answer = await client.get(f"/api/v1/preview/{forged}")
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_token_shows_its_own_entry_only(client: httpx.AsyncClient, staff: Staff) -> None:
    author = staff.headers("author")
    one = await create(client, author, body=bilingual("პირველი სხდომა", "First sitting"))
    other = await create(client, author, body=bilingual("მეორე სხდომა", "Second sitting"))
    link = await make_link(client, author, one["id"])
    other_link = await make_link(client, author, other["id"])
    shown = await client.get(f"/api/v1/preview/{link['token']}")
    assert shown.json()["id"] == one["id"]
    assert (await client.get(f"/api/v1/preview/{other_link['token']}")).json()["id"] == other["id"]
    # Not another entry's id or slug through it, nor the token on another kind's routes.
    assert (await client.get(f"/api/v1/preview/{link['token']}/{other['id']}")).status_code == 404
    assert (
        await client.get(f"/api/v1/news/{other['id']}", params={"token": link["token"]})
    ).status_code == 404
    # Revoking the other entry's links leaves this one working.
    await client.delete(f"/api/v1/news/{other['id']}/preview-link", headers=author)
    assert (await client.get(f"/api/v1/preview/{link['token']}")).status_code == 200
    assert (await client.get(f"/api/v1/preview/{other_link['token']}")).status_code == 404


async def test_authors_preview_their_own_entries_and_editors_any(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    draft = await create(client, staff.headers("author"))
    path = f"/api/v1/news/{draft['id']}/preview-link"
    assert (await client.post(path)).status_code == 401
    assert (await client.post(path, headers=staff.headers("author2"))).status_code == 403
    assert (await client.delete(path, headers=staff.headers("author2"))).status_code == 403
    assert (await client.post(path, headers=staff.headers("editor"))).status_code == 201
    wrong_kind = await client.post(
        f"/api/v1/events/{draft['id']}/preview-link", headers=staff.headers("editor")
    )
    assert wrong_kind.status_code == 404
    too_long = await client.post(path, json={"expires_in_days": 1000}, headers=staff.headers("author"))
    assert too_long.status_code == 400, too_long.text


async def test_the_website_preview_template_gives_the_url(settings: Settings, db: Database) -> None:
    template = "https://site.ge/preview?token={token}"
    app = create_app(settings_with(settings, website_preview_url_template=template))
    async with running(app):
        headers = {"Authorization": f"Bearer {(await add_staff('a@scmi.test', 'author', name='A')).token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            draft = await create(client, headers)
            link = await make_link(client, headers, draft["id"])
            shown = await client.get(f"/api/v1/preview/{link['token']}")
    db.bind()
    assert link["url"] == f"https://site.ge/preview?token={link['token']}"
    assert shown.status_code == 200


def test_the_preview_route_is_not_on_the_fast_path() -> None:
    app = create_app(Settings())
    handlers = [
        handler
        for route in app.routes
        if route.path.startswith("/api/v1/preview/")
        for handler in getattr(route, "route_handlers", [])
    ]
    assert handlers
    assert all(CACHED_READ not in handler.opt for handler in handlers)


def test_the_template_needs_its_token() -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"WEBSITE_PREVIEW_URL_TEMPLATE": "https://site.ge/preview"})
    with pytest.raises(SettingsError):
        Settings.from_env({"WEBSITE_PREVIEW_URL_TEMPLATE": "javascript:{token}"})
    ok = Settings.from_env({"WEBSITE_PREVIEW_URL_TEMPLATE": "https://site.ge/p/{token}"})
    assert ok.preview_url("abc") == "https://site.ge/p/abc"
