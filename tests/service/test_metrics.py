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


async def test_feed_cache_hits_and_misses_are_counted(client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    for _ in range(3):
        assert (await client.get("/feeds/en/news.rss")).status_code == 200
    after = (await client.get("/metrics")).text

    def moved(outcome: str) -> float:
        return sample(after, "scmi_feed_cache_total", outcome=outcome) - sample(
            before, "scmi_feed_cache_total", outcome=outcome
        )

    assert moved("miss") == 1  # the first request renders (the embedded queue shares no Redis)
    assert moved("hit") == 2  # the next two come from memory
