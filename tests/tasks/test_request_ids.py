"""The id of a request reaches the jobs it enqueues, and the jobs those enqueue, in every log line."""

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from newsletters.tables import Subscriber
from service.settings import Settings
from tasks.queue import connect_queue
from tasks.request_ids import REQUEST_ID_KWARG, request_id_var
from tasks.worker import build_worker
from tests.conftest import REDIS_URL, Database, Lines
from tests.newsletters.conftest import Inbox, newsroom_for
from tests.newsletters.test_campaigns import add_partners, draft
from tests.private_servers import smtp_server


def job_lines(logs: Lines, job: str) -> list[dict[str, Any]]:
    return [line for line in logs.records() if line.get("job") == job]


@contextlib.contextmanager
def inbox() -> Iterator[tuple[Inbox, str]]:
    received = Inbox()
    with smtp_server(received) as url:
        yield received, url


async def test_a_sign_up_and_its_confirmation_mail_share_the_request_id(
    json_logs: Lines, settings: Settings, db: Database
) -> None:
    with inbox() as (received, url):
        async with newsroom_for(replace(settings, smtp_url=url), db) as room:
            body = {"email": "nino@example.ge", "lists": ["press"], "consent": True}
            signed_up = await room.client.post(
                "/api/v1/subscriptions", json=body, headers={"X-Request-ID": "signup-0001"}
            )
            assert signed_up.status_code == 202, signed_up.text
            assert request_id_var.get() == ""  # the request is over: the worker cannot borrow its id
            await room.run_jobs()
    assert len(received.to("nino@example.ge")) == 1
    [line] = job_lines(json_logs, "send_confirmation_mail")
    assert (line["message"], line["outcome"], line["request_id"]) == ("job", "ok", "signup-0001")
    assert line["job_id"]
    request = next(line for line in json_logs.records() if line.get("path") == "/api/v1/subscriptions")
    assert request["request_id"] == "signup-0001"
    assert "nino@example.ge" not in json_logs.getvalue()  # the job's lines are masked like any other


async def test_a_campaign_sent_by_request_carries_its_id_through_every_job(
    json_logs: Lines, settings: Settings, db: Database
) -> None:
    with inbox() as (received, url):
        async with newsroom_for(replace(settings, smtp_url=url), db) as room:
            people = [(f"partner{n}@example.org", "en", "") for n in range(3)]
            await add_partners(room, people)
            campaign = await draft(room, [])
            sent = await room.post(
                f"/api/v1/campaigns/{campaign['id']}/send",
                json={},
                headers={**room.admin, "X-Request-ID": "send-campaign-0002"},
            )
            assert sent.status_code == 202, sent.text
            await room.run_jobs()
    assert len(received.messages) == len(people)
    start = job_lines(json_logs, "start_campaign")
    batches = job_lines(json_logs, "send_campaign_batch")  # enqueued by start_campaign, then by each other
    assert len(start) == 1 and batches
    assert {line["request_id"] for line in start + batches} == {"send-campaign-0002"}
    assert await Subscriber.count() == len(people)


async def test_deterministic_job_ids_hold_with_a_request_id() -> None:
    queue = await connect_queue(None)
    token = request_id_var.set("req-00000003")
    try:
        first = await queue.enqueue_job("make_renditions", "asset", _job_id="make_renditions:asset")
        again = await queue.enqueue_job("make_renditions", "asset", _job_id="make_renditions:asset")
    finally:
        request_id_var.reset(token)
    assert first is not None and again is None
    info = await first.info()
    assert info is not None and info.kwargs == {REQUEST_ID_KWARG: "req-00000003"}
    assert info.args == ("asset",)
    outside = await queue.enqueue_job("publish_due")  # no request: no id
    assert outside is not None and (await outside.info()).kwargs == {}  # type: ignore[union-attr]
    await queue.aclose()


async def test_the_request_id_travels_through_real_redis_to_a_real_worker(
    json_logs: Lines, settings: Settings, db: Database
) -> None:
    queue = await connect_queue(REDIS_URL)
    queue.default_queue_name = f"scmi-test:{secrets.token_hex(4)}"  # no other test's worker takes it
    try:
        token = request_id_var.set("redis-req-0004")
        try:
            job = await queue.enqueue_job("publish_due")
        finally:
            request_id_var.reset(token)
        assert job is not None
        worker = build_worker(queue, settings, burst=True, with_cron=False, handle_signals=False)
        await worker.main()
        await worker.close()
        assert await job.result(timeout=5) == 0
    finally:
        await queue.delete(queue.default_queue_name)
        await queue.aclose()
    [line] = job_lines(json_logs, "publish_due")
    assert (line["outcome"], line["request_id"], line["job_id"]) == ("ok", "redis-req-0004", job.job_id)
