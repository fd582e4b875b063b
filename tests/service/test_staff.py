"""Staff, tokens, guards and the audit log."""

import httpx

from tests.conftest import Staff
from tests.helpers import create


async def test_no_token_is_401_and_small_role_is_403(client: httpx.AsyncClient, staff: Staff) -> None:
    anonymous = await client.post("/api/v1/news", json={"translations": {"ka": {"title": "x"}}})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert (await client.post("/api/v1/topics", json={"slug": "a", "name": {"ka": "ა", "en": "A"}},
                              headers=staff.headers("author"))).status_code == 403  # fmt: skip
    assert (await client.get("/api/v1/staff", headers=staff.headers("editor"))).status_code == 403
    assert (await client.get("/api/v1/audit", headers=staff.headers("editor"))).status_code == 403
    assert (await client.get("/api/v1/staff", headers=staff.headers("admin"))).status_code == 200


async def test_bad_tokens_are_refused(client: httpx.AsyncClient, staff: Staff) -> None:
    for header in ("Bearer scmi_wrong", "Bearer ", "Basic abc", "Bearer " + staff.editor + "x", staff.editor):
        response = await client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert staff.editor not in response.text


async def test_admin_adds_staff_and_the_token_works_once_shown(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    response = await client.post(
        "/api/v1/staff",
        json={"email": "Nino@SCMI.test", "role": "editor", "name": "ნინო"},
        headers=staff.headers("admin"),
    )
    assert response.status_code == 201
    created = response.json()
    assert created["staff"]["email"] == "nino@scmi.test"
    token = created["token"]
    assert token.startswith("scmi_") and len(token) >= 5 + 43  # 32 random bytes, base64url
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {
        "id": created["staff"]["id"],
        "email": "nino@scmi.test",
        "name": "ნინო",
        "role": "editor",
        "review_mails": True,  # editors are mailed about drafts in review until they turn it off
    }
    listed = (await client.get("/api/v1/staff", headers=staff.headers("admin"))).json()
    assert "token" not in str(listed)
    duplicate = await client.post(
        "/api/v1/staff", json={"email": "nino@scmi.test", "role": "author"}, headers=staff.headers("admin")
    )
    assert duplicate.status_code == 409
    bad_role = await client.post(
        "/api/v1/staff", json={"email": "x@scmi.test", "role": "owner"}, headers=staff.headers("admin")
    )
    assert bad_role.status_code == 400


async def test_revoked_token_and_disabled_staff_stop_working(client: httpx.AsyncClient, staff: Staff) -> None:
    admin = staff.headers("admin")
    created = (
        await client.post("/api/v1/staff", json={"email": "r@scmi.test", "role": "author"}, headers=admin)
    ).json()
    staff_id, token_id = created["staff"]["id"], created["token_id"]
    second = (
        await client.post(f"/api/v1/staff/{staff_id}/tokens", json={"label": "laptop"}, headers=admin)
    ).json()
    first_headers = {"Authorization": f"Bearer {created['token']}"}
    second_headers = {"Authorization": f"Bearer {second['token']}"}
    assert (await client.get("/api/v1/me", headers=first_headers)).status_code == 200
    tokens = (await client.get(f"/api/v1/staff/{staff_id}/tokens", headers=admin)).json()
    assert {t["label"] for t in tokens} == {"first token", "laptop"}
    assert next(t for t in tokens if t["id"] == token_id)["last_used_at"] is not None
    assert (
        await client.delete(f"/api/v1/staff/{staff_id}/tokens/{token_id}", headers=admin)
    ).status_code == 204
    assert (await client.get("/api/v1/me", headers=first_headers)).status_code == 401
    assert (await client.get("/api/v1/me", headers=second_headers)).status_code == 200
    disabled = await client.patch(
        f"/api/v1/staff/{staff_id}", json={"role": "author", "disabled": True}, headers=admin
    )
    assert disabled.json()["disabled"] is True
    assert (await client.get("/api/v1/me", headers=second_headers)).status_code == 401


async def test_every_write_is_audited(client: httpx.AsyncClient, staff: Staff) -> None:
    entry = await create(client, staff.headers("author"))
    await client.post(f"/api/v1/news/{entry['id']}/publish", headers=staff.headers("editor"))
    await client.get("/api/v1/news")
    refused = await client.post(f"/api/v1/news/{entry['id']}/publish", headers=staff.headers("author"))
    assert refused.status_code == 403
    log = await client.get("/api/v1/audit", headers=staff.headers("admin"))
    assert log.status_code == 200
    items = log.json()["items"]
    assert [(item["method"], item["path"], item["staff_email"], item["status"]) for item in items] == [
        ("POST", f"/api/v1/news/{entry['id']}/publish", "editor@scmi.test", 200),
        ("POST", "/api/v1/news", "author@scmi.test", 201),
    ]
    assert all(item["request_id"] for item in items)
    page = (await client.get("/api/v1/audit?limit=1", headers=staff.headers("admin"))).json()
    second = (
        await client.get(
            f"/api/v1/audit?limit=1&cursor={page['next_cursor']}", headers=staff.headers("admin")
        )
    ).json()
    assert [page["items"][0]["id"], second["items"][0]["id"]] == [item["id"] for item in items]
