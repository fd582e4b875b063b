"""Prometheus metrics move as requests happen."""

import re
from dataclasses import replace

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.conftest import Database, running
from tests.newsletters.conftest import Inbox, newsroom_for
from tests.newsletters.test_campaigns import add_partners, draft
from tests.private_servers import smtp_server


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
    # What Prometheus expects, with one charset (a second one appeared before).
    assert response.headers["content-type"] == "text/plain; version=1.0.0; charset=utf-8"
    after = response.text
    labels = {"method": "GET", "path": "/api/v1/news/{ref}", "status_code": "404"}
    assert (
        sample(after, "scmi_requests_total", **labels) - sample(before, "scmi_requests_total", **labels) == 3
    )
    duration = "scmi_request_duration_seconds_count"
    assert sample(after, duration, **labels) - sample(before, duration, **labels) == 3
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


async def test_campaign_mails_and_jobs_are_counted_as_a_campaign_is_sent(
    settings: Settings, db: Database
) -> None:
    inbox = Inbox()
    with smtp_server(inbox) as url:
        async with newsroom_for(replace(settings, smtp_url=url), db) as room:
            people = [(f"partner{n}@example.org", "en", "") for n in range(5)]
            await add_partners(room, people)
            campaign = await draft(room, [])
            before = (await room.client.get("/metrics")).text
            sent = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
            assert sent.status_code == 202, sent.text
            await room.run_jobs()
            after = (await room.client.get("/metrics")).text
            state = (await room.client.get(f"/api/v1/campaigns/{campaign['id']}", headers=room.admin)).json()
    assert state["status"] == "sent" and len(inbox.messages) == len(people)

    def moved(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert moved("scmi_campaign_mails_total", outcome="sent") == len(people)
    assert moved("scmi_campaign_mails_total", outcome="failed") == 0
    assert moved("scmi_campaign_mails_total", outcome="bounced") == 0
    assert moved("scmi_jobs_total", job="start_campaign", outcome="ok") == 1
    batches = moved("scmi_jobs_total", job="send_campaign_batch", outcome="ok")
    assert batches >= 1
    assert moved("scmi_jobs_total", job="send_campaign_batch", outcome="failed") == 0
    assert moved("scmi_job_duration_seconds_count", job="send_campaign_batch") == batches
    send_labels = {"method": "POST", "path": "/api/v1/campaigns/{ref}/send", "status_code": "202"}
    assert moved("scmi_requests_total", **send_labels) == 1


async def scrape(settings: Settings, headers: dict[str, str]) -> int:
    app = create_app(settings)
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
        ) as scraper,
    ):
        return (await scraper.get("/metrics", headers=headers)).status_code


@pytest.mark.parametrize(
    ("environment", "token", "sent", "status"),
    [
        ("development", "", {}, 200),
        ("production", "", {}, 404),  # not served at all in production without a token
        ("production", "", {"Authorization": "Bearer anything"}, 404),
        ("production", "s3cret-scrape-token", {}, 404),
        ("production", "s3cret-scrape-token", {"Authorization": "Bearer wrong"}, 404),
        ("production", "s3cret-scrape-token", {"Authorization": "Basic czNjcmV0"}, 404),
        ("production", "s3cret-scrape-token", {"Authorization": "Bearer s3cret-scrape-token"}, 200),
        ("development", "s3cret-scrape-token", {}, 404),  # a token set is needed everywhere
        ("development", "s3cret-scrape-token", {"Authorization": "Bearer s3cret-scrape-token"}, 200),
    ],
)
async def test_metrics_need_the_scrape_token_in_production(
    settings: Settings, db: Database, environment: str, token: str, sent: dict[str, str], status: int
) -> None:
    key = "a-production-secret-key-of-more-than-32-characters"
    changed = replace(settings, environment=environment, metrics_token=token, secret_key=key)
    assert await scrape(changed, sent) == status
