"""Prometheus metrics move as requests happen."""

import re

import httpx


def sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        label_text, _, value = line[len(name) + 1 :].rpartition("} ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if all(found.get(key) == wanted for key, wanted in labels.items()):
            return float(value)
    return 0.0


async def test_requests_are_counted_by_route_template_and_status(client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    for slug in ("one", "two", "three"):
        assert (await client.get(f"/api/v1/news/{slug}")).status_code == 404
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    labels = {"method": "GET", "path": "/api/v1/news/{ref}", "status_code": "404"}
    assert (
        sample(after, "scmi_requests_total", **labels) - sample(before, "scmi_requests_total", **labels) == 3
    )
    assert "scmi_request_duration_seconds_bucket" in after
    assert 'path="/api/v1/news/one"' not in after
    assert "scmi_queue_depth" in after
