"""Logs are structured, carry the request id, and never show an address, token or secret."""

import json
import logging

import httpx
import pytest
import structlog

from service.logs import log_request, mask
from tasks.request_ids import request_id_var
from tests.conftest import Lines, Staff


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail to nino.beridze@migration.gov.ge failed", "mail to n***@migration.gov.ge failed"),
        ("token scmi_AbCdEfGhIjKlMnOpQrStUv0123", "token scmi_***"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
        ("postgresql://scmi:hunter2@db:5432/scmi", "postgresql://scmi:***@db:5432/scmi"),
        ("nothing personal", "nothing personal"),
    ],
)
def test_mask(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_stdlib_and_structlog_lines_are_masked_json(json_logs: Lines) -> None:
    logging.getLogger("scmi.test").warning(
        "could not reach %s with %s", "a.b@example.org", "scmi_" + "x" * 30
    )
    structlog.get_logger("scmi.test").info(
        "subscribed", email="nino@example.ge", password="hunter2", lists=["press"]
    )
    lines = json_logs.records()
    assert lines[0]["message"] == "could not reach a***@example.org with scmi_***"
    assert lines[0]["level"] == "warning"
    assert lines[1]["email"] == "n***@example.ge"
    assert lines[1]["password"] == "***"
    assert lines[1]["lists"] == ["press"]


async def test_one_line_per_request_with_its_id(
    json_logs: Lines, client: httpx.AsyncClient, staff: Staff
) -> None:
    response = await client.get(
        "/api/v1/me", headers={**staff.headers("editor"), "X-Request-ID": "req-12345678"}
    )
    assert response.headers["x-request-id"] == "req-12345678"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["x-request-id"] != "bad id with spaces"
    lines = json_logs.records()
    requests = [line for line in lines if line.get("message") == "request"]
    assert [(line["path"], line["status"], line["request_id"]) for line in requests] == [
        ("/api/v1/me", 200, "req-12345678"),
        ("/healthz", 200, generated.headers["x-request-id"]),
    ]
    assert all(staff.editor not in json.dumps(line) for line in lines)


@pytest.mark.parametrize(
    ("path", "duration_ms"),
    [("/a/nino@example.ge", 1.5), ('/ახალი/"quoted"\\back\tslash', 0.07), ("/x", 1234.0)],
)
def test_the_request_line_written_directly_matches_the_structlog_line(
    json_logs: Lines, path: str, duration_ms: float
) -> None:
    token = request_id_var.set("req-12345678")
    try:
        structlog.get_logger("scmi.request").info(
            "request", method="GET", path=path, status=200, duration_ms=duration_ms
        )
        log_request("GET", path, 200, duration_ms)
    finally:
        request_id_var.reset(token)
    structlog_text, direct_text = json_logs.getvalue().splitlines()
    through_structlog, direct = json_logs.records()
    assert through_structlog.pop("timestamp").endswith("Z")
    assert direct.pop("timestamp").endswith("Z")
    assert list(direct.items()) == list(through_structlog.items())
    assert direct["path"] == mask(path)
    # Byte for byte too, but for the moment each was written.
    assert direct_text.partition('"timestamp"')[0] == structlog_text.partition('"timestamp"')[0]
    assert direct_text.partition('"request_id"')[2] == structlog_text.partition('"request_id"')[2]
