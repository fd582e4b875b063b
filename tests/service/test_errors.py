"""Bad input gets a clear problem+json answer, never a stack trace."""

import sqlite3

import asyncpg
import httpx
import pytest

from service.errors import _is_database_unavailable
from tests.conftest import Staff


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert body["detail"]
    assert "Traceback" not in response.text
    return body


async def test_malformed_json(client: httpx.AsyncClient, staff: Staff) -> None:
    response = await client.post(
        "/api/v1/news",
        content=b'{"translations": ',
        headers={**staff.headers("author"), "content-type": "application/json"},
    )
    assert_problem(response, 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"translations": {}}, "translations"),
        ({"translations": {"de": {"title": "x"}}}, "translations"),
        ({"translations": {"ka": {"title": "x", "colour": "red"}}}, "translations"),
        ({"translations": {"ka": {"title": "x"}}, "cover_id": "nope"}, "cover_id"),
        ({"translations": {"ka": {"title": "x"}}, "topics": ["Not A Slug"]}, "topics"),
        ({"translations": {"ka": {"title": "x" * 501}}}, "translations"),
    ],
)
async def test_validation_names_the_field(
    client: httpx.AsyncClient, staff: Staff, body: object, field: str
) -> None:
    problem = assert_problem(
        await client.post("/api/v1/news", json=body, headers=staff.headers("author")), 400
    )
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert errors[0]["field"].startswith(field)


async def test_body_too_large(client: httpx.AsyncClient, staff: Staff) -> None:
    huge = {"translations": {"ka": {"title": "x", "body": "ა" * (1024 * 1024)}}}
    assert_problem(await client.post("/api/v1/news", json=huge, headers=staff.headers("author")), 413)


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/nothing"), 404)
    assert_problem(await client.put("/api/v1/news"), 405)
    assert_problem(await client.get("/api/v1/news/no-such-slug"), 404)


async def test_openapi_document_lists_the_contract(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for kind in ("news", "events", "announcements", "materials"):
        assert set(paths[f"/api/v1/{kind}"]) >= {"get", "post"}
        assert set(paths[f"/api/v1/{kind}/{{ref}}"]) >= {"get", "patch", "delete"}
        assert "post" in paths[f"/api/v1/{kind}/{{ref}}/publish"]
    assert "/api/v1/topics" in paths and "/api/v1/staff" in paths and "/api/v1/audit" in paths
    assert (await client.get("/schema")).status_code == 200


def _raised_from(cause: BaseException) -> RuntimeError:
    try:
        raise RuntimeError("wrapped") from cause
    except RuntimeError as error:
        return error


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "refused"), True),
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed"), True),
        (asyncpg.exceptions.CannotConnectNowError("starting up"), True),
        (asyncpg.exceptions.InternalClientError("cannot switch to state 15; another operation"), True),
        (sqlite3.OperationalError("unable to open database file"), True),
        (_raised_from(ConnectionResetError(104, "reset")), True),
        (sqlite3.OperationalError("no such column: nope"), False),
        (asyncpg.exceptions.UndefinedColumnError("no such column"), False),
        (ValueError("bad"), False),
    ],
)
def test_only_connection_failures_count_as_the_database_being_unavailable(
    error: BaseException, unavailable: bool
) -> None:
    assert _is_database_unavailable(error) is unavailable
