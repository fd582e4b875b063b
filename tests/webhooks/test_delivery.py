"""Delivering webhooks through the worker to a receiver on loopback, signed, retried, in order, owed in the database."""

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from uuid import UUID

import httpx

from content.webhooks.sending import DEFAULT_RETRY_SECONDS, SendPolicy, attempt_delivery
from service.settings import Settings
from tasks import enqueue
from tasks.context import job_context
from tasks.webhooks import tell_admins_of_disabled
from tasks.worker import CRON_JOBS
from tests.conftest import Staff, settings_with
from tests.helpers import bilingual, create, publish
from tests.webhooks.receiver import STALL, deliveries, own_queue, receiver, register, run_worker

FAST = (0.2, 0.2, 0.2)  # retry waits for the tests: the same code path as 5 s … 10 h


def fast(settings: Settings) -> Settings:
    return settings_with(settings, webhook_retry_seconds=FAST, webhook_timeout_seconds=2.0)


async def test_a_publish_is_delivered_signed_with_the_entry_in_both_languages(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver() as site:
        endpoint = await register(client, admin, site.url)
        entry = await create(client, editor, body=bilingual("ახალი ამბავი", "A piece of news"))
        await publish(client, editor, entry["id"])
        assert site.received == []  # nothing is sent in the request
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))
    assert len(site.received) == 1
    arrived = site.received[0]
    payload = arrived.verified(endpoint["secret"])  # the standardwebhooks package checks the signature
    assert payload["type"] == "entry.published"
    assert datetime.fromisoformat(payload["timestamp"]).tzinfo is not None
    data = payload["data"]
    assert (data["id"], data["kind"], data["status"], data["public"]) == (
        entry["id"],
        "news",
        "published",
        True,
    )
    assert data["translations"]["ka"]["title"] == "ახალი ამბავი"
    assert data["translations"]["en"]["title"] == "A piece of news"
    assert data["translations"]["en"]["lang"] == "en" and "status" not in data["translations"]["en"]
    assert arrived.headers["webhook-id"].startswith("msg_")
    assert arrived.headers["content-type"] == "application/json"
    assert "cookie" not in arrived.headers

    log = await deliveries(client, admin, endpoint["id"])
    assert [(d["type"], d["status"], d["attempts"], d["status_code"]) for d in log] == [
        ("entry.published", "delivered", 1, 200)
    ]
    assert [attempt["status_code"] for attempt in log[0]["log"]] == [200]


async def test_a_receiver_failing_twice_gets_exactly_one_more_attempt_per_failure(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver([500, 302]) as site:  # a redirect is an answer, not followed
        endpoint = await register(client, admin, site.url)
        entry = await create(client, editor)
        await publish(client, editor, entry["id"])
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))
    assert [r.path for r in site.received] == ["/hooks/"] * 3  # never /hooks/redirected
    assert len({r.headers["webhook-id"] for r in site.received}) == 1  # one message, tried three times
    for arrived in site.received:
        arrived.verified(endpoint["secret"])
        assert "cookie" not in arrived.headers
    (delivery,) = await deliveries(client, admin, endpoint["id"])
    assert (delivery["status"], delivery["attempts"], delivery["status_code"]) == ("delivered", 3, 200)
    assert [(a["number"], a["status_code"], a["error"]) for a in delivery["log"]] == [
        (1, 500, "answered 500"),
        (2, 302, "answered 302"),
        (3, 200, ""),
    ]


async def test_retries_run_out_and_the_delivery_is_failed(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver([500] * 10) as site:
        endpoint = await register(client, admin, site.url)
        await create_and_publish(client, editor)
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))
    assert len(site.received) == len(FAST) + 1
    (delivery,) = await deliveries(client, admin, endpoint["id"])
    assert (delivery["status"], delivery["attempts"]) == ("failed", 4)
    assert DEFAULT_RETRY_SECONDS == (5, 300, 1800, 7200, 18000, 36000, 36000)
    assert sum(DEFAULT_RETRY_SECONDS) >= 24 * 3600


async def create_and_publish(client: httpx.AsyncClient, editor: dict[str, str]) -> str:
    entry = await create(client, editor)
    await publish(client, editor, entry["id"])
    return str(entry["id"])


async def test_deliveries_for_one_entry_keep_their_order_while_one_is_retried(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    events = ["entry.published", "entry.updated", "entry.unpublished", "entry.archived"]
    with receiver([503, 503]) as site:
        endpoint = await register(client, admin, site.url, events)
        entry_id = await create_and_publish(client, editor)
        patched = await client.patch(
            f"/api/v1/news/{entry_id}", json={"translations": {"en": {"title": "Changed"}}}, headers=editor
        )
        assert patched.status_code == 200, patched.text
        assert (await client.post(f"/api/v1/news/{entry_id}/unpublish", headers=editor)).status_code == 200
        # A draft's edits and its archiving owe the website nothing: it never saw them.
        draft_id = (await create(client, editor))["id"]
        await client.patch(f"/api/v1/news/{draft_id}", json={"topics": []}, headers=editor)
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))
    types = [json.loads(r.body)["type"] for r in site.received]
    assert types == ["entry.published"] * 3 + ["entry.updated", "entry.unpublished"]
    updated = json.loads(site.received[3].body)["data"]
    assert updated["translations"]["en"]["title"] == "Changed"
    unpublished = json.loads(site.received[4].body)["data"]
    assert (unpublished["status"], unpublished["public"]) == ("draft", False)
    assert all(json.loads(r.body)["data"]["id"] == entry_id for r in site.received)
    log = await deliveries(client, admin, endpoint["id"])
    assert sorted(d["status"] for d in log) == ["delivered"] * 3


async def test_a_scheduled_publish_and_an_embargo_lift_deliver_when_the_public_sees_them(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver() as site:
        await register(client, admin, site.url)
        scheduled = await create(client, editor, body=bilingual("დაგეგმილი", "Scheduled"))
        soon = datetime.now(UTC) + timedelta(seconds=1)
        await publish(client, editor, scheduled["id"], at=soon.isoformat())
        embargoed = await create(client, editor, body=bilingual("ემბარგო", "Embargoed"))
        lift = datetime.now(UTC) + timedelta(seconds=3)
        await publish(client, editor, embargoed["id"], embargo_until=lift.isoformat())
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))
            assert site.received == []  # neither is public yet: nothing leaks early
            await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.2)
            await queue.enqueue_job(enqueue.PUBLISH_DUE)  # the cron's scheduled publishing
            await run_worker(queue, fast(settings), sweep=False)  # the job itself asks for the sweep
            assert [json.loads(r.body)["data"]["id"] for r in site.received] == [scheduled["id"]]
            assert (await client.get(f"/api/v1/news/{embargoed['id']}")).status_code == 404
            await asyncio.sleep(max(0.0, (lift - datetime.now(UTC)).total_seconds()) + 0.2)
            await run_worker(queue, fast(settings))
    published = [json.loads(r.body) for r in site.received]
    assert [(p["type"], p["data"]["id"]) for p in published] == [
        ("entry.published", scheduled["id"]),
        ("entry.published", embargoed["id"]),
    ]
    assert published[1]["data"]["translations"]["en"]["title"] == "Embargoed"
    assert published[1]["data"]["public"] is True


async def test_an_unpublish_before_the_lift_withdraws_the_embargoed_publish(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver() as site:
        endpoint = await register(client, admin, site.url, ["entry.published", "entry.unpublished"])
        entry = await create(client, editor)
        lift = datetime.now(UTC) + timedelta(seconds=1)
        await publish(client, editor, entry["id"], embargo_until=lift.isoformat())
        assert (await client.post(f"/api/v1/news/{entry['id']}/unpublish", headers=editor)).status_code == 200
        await asyncio.sleep(1.2)
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))
    assert site.received == []
    assert [d["status"] for d in await deliveries(client, admin, endpoint["id"])] == ["withdrawn"]


async def test_what_is_owed_survives_a_flushed_redis(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    assert "cron:sweep_webhooks" in {job.name for job in CRON_JOBS}
    with receiver() as site:
        endpoint = await register(client, admin, site.url)
        entry_id = await create_and_publish(client, editor)
        async with own_queue() as queue:
            ping = await client.post(f"/api/v1/webhooks/{endpoint['id']}/ping", headers=admin)
            assert ping.status_code == 202
            await enqueue.enqueue_webhook_delivery(queue, ping.json()["id"], 0)
            assert await queue.zcard(queue.default_queue_name) == 1
            # Redis loses everything: the queue and every job in it.
            await queue.delete(queue.default_queue_name, f"arq:job:deliver_webhook:{ping.json()['id']}:0")
            assert await queue.zcard(queue.default_queue_name) == 0
            await run_worker(queue, fast(settings))  # the cron's sweep reads the database
    got = sorted(json.loads(r.body)["type"] for r in site.received)
    assert got == ["entry.published", "webhook.ping"]
    assert {json.loads(r.body)["data"].get("id") for r in site.received} >= {entry_id}


async def test_ping_and_redeliver(client: httpx.AsyncClient, staff: Staff, settings: Settings) -> None:
    admin = staff.headers("admin")
    with receiver() as site:
        endpoint = await register(client, admin, site.url)
        ping = await client.post(f"/api/v1/webhooks/{endpoint['id']}/ping", headers=admin)
        assert ping.status_code == 202, ping.text
        assert (ping.json()["type"], ping.json()["status"]) == ("webhook.ping", "pending")
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))
            first = site.received[0].verified(endpoint["secret"])
            assert first["type"] == "webhook.ping" and first["data"]["endpoint_id"] == endpoint["id"]
            again = await client.post(
                f"/api/v1/webhooks/{endpoint['id']}/deliveries/{ping.json()['id']}/redeliver", headers=admin
            )
            assert again.status_code == 202, again.text
            assert again.json()["id"] != ping.json()["id"]
            await run_worker(queue, fast(settings))
    assert len(site.received) == 2
    # The same message again: a receiver that keeps webhook-ids can tell it is a resend.
    assert site.received[0].headers["webhook-id"] == site.received[1].headers["webhook-id"]
    site.received[1].verified(endpoint["secret"])
    log = await deliveries(client, admin, endpoint["id"])
    assert [(d["type"], d["status"]) for d in log] == [("webhook.ping", "delivered")] * 2
    unknown = await client.post(
        f"/api/v1/webhooks/{endpoint['id']}/deliveries/{endpoint['id']}/redeliver", headers=admin
    )
    assert unknown.status_code == 404


async def test_production_refuses_to_send_to_a_name_that_resolves_inward(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver() as site:
        # Registered while allowed (outside production); the worker in production checks again.
        endpoint = await register(client, admin, site.url.replace("127.0.0.1", "localhost"))
        await create_and_publish(client, editor)
        production = settings_with(fast(settings), environment="production", secret_key="k" * 48)
        async with own_queue() as queue:
            await run_worker(queue, production)
    assert site.received == []
    (delivery,) = await deliveries(client, admin, endpoint["id"])
    assert delivery["status"] == "failed"
    assert all(a["error"].startswith("refused: localhost resolves to") for a in delivery["log"])
    assert all(a["status_code"] is None for a in delivery["log"])


async def test_an_endpoint_failing_too_long_is_turned_off_until_an_admin_turns_it_on(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver([500] * 3) as site:
        endpoint = await register(client, admin, site.url)
        await create_and_publish(client, editor)
        (owed,) = await deliveries(client, admin, endpoint["id"])
        policy = SendPolicy(retry_seconds=(0, 0, 0), allow_private=True, disable_after=timedelta(0))
        assert (await attempt_delivery(owed["id"], policy)).status == "retry"
        second = await attempt_delivery(owed["id"], policy)
        assert (second.status, second.endpoint_disabled) == ("retry", True)
        off = (await client.get(f"/api/v1/webhooks/{endpoint['id']}", headers=admin)).json()
        assert off["enabled"] is False and "failed" in off["disabled_reason"]
        assert (await attempt_delivery(owed["id"], policy)).status == "skipped"  # off: nothing is sent
        async with own_queue() as queue:
            told = await tell_admins_of_disabled(job_context(settings, queue), UUID(endpoint["id"]))
        assert told == 1
        (mail,) = [message_from_bytes(path.read_bytes()) for path in settings.outbox_dir.glob("*.eml")]
        assert mail["To"] == "admin@scmi.test"
        text = mail.get_payload(decode=True).decode("utf-8")
        assert site.url in text and "turned off" in text and "გამოირთო" in text
        assert len(site.received) == 2
        on = await client.patch(f"/api/v1/webhooks/{endpoint['id']}", json={"enabled": True}, headers=admin)
        assert on.json()["enabled"] is True and on.json()["failing_since"] is None
        assert (await attempt_delivery(owed["id"], policy)).status == "retry"  # the third 500
        assert (await attempt_delivery(owed["id"], policy)).status == "sent"


async def test_a_sent_campaign_is_delivered_without_its_recipients(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    press = {"slug": "press", "name": {"ka": "პრესა", "en": "Press"}, "public": True}
    assert (await client.post("/api/v1/lists", json=press, headers=admin)).status_code == 201
    subscriber = {
        "email": "reporter@newsroom.test",
        "lists": ["press"],
        "lang": "en",
        "basis": "asked in person",
    }
    await client.post("/api/v1/subscribers", json=subscriber, headers=admin)
    entry_id = await create_and_publish(client, editor)
    campaign = {
        "template": "newsletter",
        "subject": {"ka": "სიახლეები", "en": "News"},
        "intro": {"ka": "შესავალი", "en": "Intro"},
        "entries": [entry_id],
        "lists": ["press"],
        "slug": "weekly",
    }
    made = await client.post("/api/v1/campaigns", json=campaign, headers=editor)
    assert made.status_code == 201, made.text
    with receiver() as site:
        await register(client, admin, site.url, ["campaign.sent"])
        sent = await client.post(f"/api/v1/campaigns/{made.json()['id']}/send", headers=editor)
        assert sent.status_code in (200, 202), sent.text
        async with own_queue() as queue:
            await enqueue.enqueue_campaign_start(queue, made.json()["id"], None)
            await run_worker(queue, fast(settings))
            await queue.enqueue_job(enqueue.RECONCILE_CAMPAIGNS)
            await run_worker(queue, fast(settings))
    assert (await client.get(f"/api/v1/campaigns/{made.json()['id']}", headers=editor)).json()[
        "status"
    ] == "sent"
    assert len(site.received) == 1, [(r.headers, r.body) for r in site.received]
    (arrived,) = site.received
    payload = json.loads(arrived.body)
    assert payload["type"] == "campaign.sent"
    assert payload["data"]["subject"] == {"ka": "სიახლეები", "en": "News"}
    assert payload["data"]["entries"] == [entry_id]
    assert "reporter@newsroom.test" not in arrived.body.decode()


async def test_a_worker_killed_mid_delivery_loses_nothing(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver([STALL]) as site:
        endpoint = await register(client, admin, site.url)
        await create_and_publish(client, editor)
        (owed,) = await deliveries(client, admin, endpoint["id"])
        policy = SendPolicy(timeout=5, allow_private=True, lease_seconds=1.5)
        dying = asyncio.create_task(attempt_delivery(owed["id"], policy))
        for _ in range(200):  # the receiver runs in a thread: poll it
            if site.received:
                break
            await asyncio.sleep(0.05)
        dying.cancel()  # the worker dies while the request is out: no answer is ever recorded
        with contextlib.suppress(asyncio.CancelledError):
            await dying
        assert (await attempt_delivery(owed["id"], policy)).status == "skipped"  # its claim still holds
        await asyncio.sleep(1.6)
        async with own_queue() as queue:
            await run_worker(queue, fast(settings))  # the sweep finds it owed again once the claim ran out
    assert len(site.received) == 2
    (delivery,) = await deliveries(client, admin, endpoint["id"])
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)
    assert [a["number"] for a in delivery["log"]] == [2]  # the killed attempt counted, with no answer


async def test_no_answer_within_the_timeout_is_a_failure_tried_again(
    client: httpx.AsyncClient, staff: Staff, settings: Settings
) -> None:
    admin, editor = staff.headers("admin"), staff.headers("editor")
    with receiver([STALL]) as site:
        endpoint = await register(client, admin, site.url)
        await create_and_publish(client, editor)
        async with own_queue() as queue:
            await run_worker(queue, settings_with(fast(settings), webhook_timeout_seconds=0.5))
    assert len(site.received) == 2
    (delivery,) = await deliveries(client, admin, endpoint["id"])
    assert delivery["status"] == "delivered"
    assert [(a["status_code"], a["error"]) for a in delivery["log"]] == [
        (None, "no answer within 0.5 s"),
        (200, ""),
    ]
