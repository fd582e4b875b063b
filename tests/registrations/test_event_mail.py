"""Mail to an event's registrants through the campaign engine: their language, no list headers, opting out."""

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from newsletters.addresses import address_key
from newsletters.campaigns import states
from newsletters.tables import Delivery
from registrations.event_mail import AUDIENCES
from registrations.retention import erase_person
from tasks.enqueue import enqueue_reconcile
from tests.registrations.conftest import JSON, Desk, text_of

OPT_OUT = re.compile(r"https?://\S+/registrations/[A-Za-z0-9_-]+/event-mail")
SUBJECT = {"ka": "სხდომის დღის წესრიგი", "en": "The sitting's agenda"}


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


async def mail(desk: Desk, event_id: str, **body: Any) -> Any:
    draft = {
        "template": "newsletter",
        "subject": SUBJECT,
        "intro": {"ka": "გამარჯობა", "en": "Hello"},
        **body,
    }
    return await desk.client.post(
        f"/api/v1/events/{event_id}/registrations/mail", json=draft, headers=desk.editor
    )


async def send(desk: Desk, campaign: dict[str, Any]) -> dict[str, Any]:
    before = len(desk.inbox.messages)
    sent = await desk.client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=desk.editor)
    assert sent.status_code == 202, sent.text
    await desk.room.run_jobs()
    got = await desk.client.get(f"/api/v1/campaigns/{campaign['id']}", headers=desk.editor)
    assert got.json()["status"] == "sent", got.text
    new = [m for m in desk.inbox.messages[before:] if str(m["Subject"]) in SUBJECT.values()]
    return {"counts": got.json()["counts"], "new": new}


def addressed(messages: list[EmailMessage]) -> dict[str, EmailMessage]:
    return {str(m["To"]).rsplit("<", 1)[-1].rstrip(">"): m for m in messages}


async def test_registrants_mailed_in_their_language_then_one_opts_out(desk: Desk) -> None:
    event = await desk.event(capacity=2, waitlist=True)
    links = {}
    for address, lang in (("nino@example.ge", "ka"), ("anna@example.org", "en"), ("wait@example.org", "en"),
                          ("gone@example.org", "en")):  # fmt: skip
        links[address] = await desk.registered(event["id"], address, lang=lang)
        await desk.confirm(links[address])
    cancelled = await desk.client.post(links["gone@example.org"], json={"action": "cancel"}, headers=JSON)
    assert cancelled.json()["status"] == "cancelled"
    await desk.register(event["id"], "pending@example.org", name="Pending")
    await desk.room.run_jobs()

    created = await mail(desk, event["id"])
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["audience"] == "event"
    assert campaign["audience_spec"]["statuses"] == ["registered", "waitlisted", "accreditation_pending",
                                                     "accredited"]  # fmt: skip
    assert campaign["lists"] == []
    first = await send(desk, campaign)
    got = addressed(first["new"])
    assert sorted(got) == ["anna@example.org", "nino@example.ge", "wait@example.org"]
    assert first["counts"]["sent"] == 3
    assert str(got["nino@example.ge"]["Subject"]) == SUBJECT["ka"]
    assert str(got["anna@example.org"]["Subject"]) == SUBJECT["en"]
    for message in got.values():
        assert message["List-Unsubscribe"] is None
        assert message["List-Unsubscribe-Post"] is None
        assert message["List-Id"] is None
    anna = got["anna@example.org"]
    assert "Stop mail about this event" in text_of(anna) and "Stop mail about this event" in html_of(anna)
    assert "ამ ღონისძიების შესახებ წერილების შეწყვეტა" in text_of(got["nino@example.ge"])
    link = OPT_OUT.search(text_of(anna))
    assert link is not None
    assert link.group(0) in html_of(anna)
    assert "/subscriptions/" not in text_of(anna)
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]

    page = await desk.client.get(f"/{path}")
    assert page.status_code == 200
    assert 'method="post"' in page.text and "Stop these mails" in page.text
    still = await mail(desk, event["id"], statuses=["registered"])  # a GET alone opted nobody out
    assert still.json()["counts"]["recipients"] == 0  # (counted when sending starts)
    done = await desk.client.post(f"/{path}")
    assert done.status_code == 200
    assert "we will send you no more mail" in done.text
    assert 'method="post"' not in (await desk.client.get(f"/{path}")).text
    assert (await desk.client.get("/registrations/no-such-token-at-all-here/event-mail")).status_code == 404

    second = await send(desk, still.json())
    assert sorted(addressed(second["new"])) == ["nino@example.ge"]  # registered only, Anna opted out

    await erase_person(
        address_key(desk.room.settings.secret_key, "wait@example.org"), datetime.now(UTC), staff_id=None,
        staff_email="admin@scmi.test",
    )  # fmt: skip
    [forgotten] = await Delivery.select(Delivery.email).where(
        (Delivery.campaign == campaign["id"]) & (Delivery.lang == "en") & (Delivery.email == "")
    )
    assert forgotten["email"] == ""
    third = await send(desk, (await mail(desk, event["id"], statuses=["waitlisted", "registered"])).json())
    assert sorted(addressed(third["new"])) == ["nino@example.ge"]  # the erased one is not mailed

    archive = await desk.client.get("/newsletters/en")
    assert archive.status_code == 200
    assert campaign["slug"] not in archive.text  # not a newsletter: not in the public archive


async def test_bad_input_is_a_problem(desk: Desk) -> None:
    event = await desk.event(capacity=5)
    unknown = await mail(desk, "no-such-event")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    nobody = await mail(desk, event["id"])
    assert nobody.status_code == 409
    assert nobody.headers["content-type"].startswith("application/problem+json")
    await desk.confirm(await desk.registered(event["id"], "nino@example.ge"))
    for bad in ({"statuses": ["pending"]}, {"statuses": ["cancelled"]}, {"statuses": []},
                {"lists": ["press"]}, {"subject": {"ka": "მხოლოდ"}}):  # fmt: skip
        refused = await mail(desk, event["id"], **bad)
        assert refused.status_code in (400, 422), (bad, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    anonymous = await desk.client.post(
        f"/api/v1/events/{event['id']}/registrations/mail",
        json={"template": "newsletter", "subject": SUBJECT},
    )
    assert anonymous.status_code == 401
    made = await mail(desk, event["id"])
    rewrite = await desk.client.put(
        f"/api/v1/campaigns/{made.json()['id']}",
        json={"template": "newsletter", "subject": SUBJECT, "lists": ["press"]},
        headers=desk.editor,
    )
    assert rewrite.status_code == 422  # an event mail names no lists
    kept = await desk.client.put(
        f"/api/v1/campaigns/{made.json()['id']}", json={"template": "newsletter", "subject": SUBJECT},
        headers=desk.editor,
    )  # fmt: skip
    assert kept.status_code == 200, kept.text
    assert kept.json()["audience"] == "event"
    tested = await desk.client.post(
        f"/api/v1/campaigns/{made.json()['id']}/test",
        json={"addresses": ["desk@example.ge"], "lang": "en"},
        headers=desk.editor,
    )
    assert tested.status_code == 202
    await desk.room.run_jobs()
    [trial] = desk.inbox.to("desk@example.ge")
    assert str(trial["Subject"]) == "[TEST] The sitting's agenda"
    assert trial["List-Unsubscribe"] is None and trial["List-Id"] is None
    assert "/registrations/test/event-mail" in text_of(trial)


async def test_a_worker_dying_after_the_ledger_is_written_mails_each_registrant_once(desk: Desk) -> None:
    event = await desk.event(capacity=5)
    for address in ("nino@example.ge", "anna@example.org"):
        await desk.confirm(await desk.registered(event["id"], address))
    campaign = (await mail(desk, event["id"])).json()
    scheduled = await desk.client.post(f"/api/v1/campaigns/{campaign['id']}/send", headers=desk.editor)
    assert scheduled.status_code == 202
    # The start job's work done by hand, twice, as a worker that died after it would leave it.
    assert await states.start_due(campaign["id"], AUDIENCES) == 1
    assert await states.start_due(campaign["id"], AUDIENCES) is None
    assert await Delivery.count().where(Delivery.campaign == campaign["id"]) == 2
    await enqueue_reconcile(desk.room.app.state.queue)  # the reconciler restarts the dead slots
    await desk.room.run_jobs()
    mailed = [str(m["To"]) for m in desk.inbox.messages if str(m["Subject"]) in SUBJECT.values()]
    assert sorted(mailed) == ["Nino <anna@example.org>", "Nino <nino@example.ge>"]
    got = (await desk.client.get(f"/api/v1/campaigns/{campaign['id']}", headers=desk.editor)).json()
    assert (got["status"], got["counts"]["sent"], got["counts"]["recipients"]) == ("sent", 2, 2)
