"""Issue 20's "done when", as a new user would try it: a campaign to five, a hard bounce and a complaint
come back to the mailbox, the job runs, and the campaign, the lists, the next campaign and an import
all show it."""

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from accounts.staff import add_staff
from newsletters.bounces.verp import read_token
from newsletters.tables import Delivery
from service.settings import Settings
from tasks.bounces import read_bounce_mailbox
from tasks.context import job_context
from tests.conftest import Database
from tests.newsletters.bounces import samples
from tests.newsletters.bounces.conftest import Dovecot, Envelopes
from tests.newsletters.conftest import Newsroom, newsroom_for
from tests.newsletters.test_campaigns import add_partners, draft

BOUNCE_DOMAIN = "bounces.newsroom.test"
FIVE = [(f"partner{n}@partner.example", "en", f"Partner {n}") for n in range(1, 6)]
HARD, COMPLAINER = FIVE[0][0], FIVE[1][0]


@pytest.fixture
async def room(
    settings: Settings, db: Database, sink: tuple[Envelopes, str], dovecot: Dovecot
) -> AsyncIterator[Newsroom]:
    configured = replace(
        settings, smtp_url=sink[1], bounce_domain=BOUNCE_DOMAIN, bounce_mailbox_url=dovecot.url
    )
    async with newsroom_for(configured, db) as newsroom:
        yield newsroom


async def send(room: Newsroom, campaign: dict[str, Any]) -> dict[str, Any]:
    sent = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
    assert sent.status_code == 202, sent.text
    await room.run_jobs()
    state = (await room.client.get(f"/api/v1/campaigns/{campaign['id']}", headers=room.admin)).json()
    assert state["status"] == "sent", state
    return state  # type: ignore[no-any-return]


async def test_a_hard_bounce_and_a_complaint_take_two_of_five_off_the_lists_for_good(
    room: Newsroom, sink: tuple[Envelopes, str], dovecot: Dovecot
) -> None:
    envelopes = sink[0]
    await add_partners(room, FIVE)
    first = await send(room, await draft(room, []))
    assert first["counts"]["sent"] == 5 and first["complaints_flagged"] is False

    # Each message left with a return path of its own, naming its delivery row (VERP), no address in it.
    rows = {row["email"]: row for row in await Delivery.select().where(Delivery.campaign == first["id"])}
    for address, _, _ in FIVE:
        sender = envelopes.sender_to(address)
        local, _, domain = sender.partition("@")
        assert domain == BOUNCE_DOMAIN and local.startswith("bounces+")
        assert address.split("@")[0] not in local
        verp = read_token(room.settings.secret_key, local.removeprefix("bounces+"))
        assert verp is not None and verp.kind == "d" and verp.id == rows[address]["id"]

    hard = samples.postfix_dsn(envelopes.sender_to(HARD), HARD, rows[HARD]["message_id"])
    complaint = samples.arf_complaint(
        envelopes.sender_to(COMPLAINER), COMPLAINER, rows[COMPLAINER]["message_id"]
    )
    dovecot.append(hard, complaint, hard, samples.JUNK)  # the hard bounce twice, and junk

    # The worker's job, as its cron runs it every minute.
    ran = await read_bounce_mailbox(job_context(room.settings, room.app.state.queue))
    assert ran is not None
    assert ran["processed"] == 2 and ran["duplicates"] == 1 and ran["unrecognised"] == 1
    assert dovecot.folder("INBOX") == []
    assert len(dovecot.folder("Processed")) == 3 and len(dovecot.folder("Unrecognised")) == 1

    state = (await room.client.get(f"/api/v1/campaigns/{first['id']}", headers=room.admin)).json()
    assert state["counts"]["bounced"] == 1 and state["counts"]["complained"] == 1
    assert state["counts"]["sent"] == 4  # the bounced one never arrived
    assert state["complaints_flagged"] is True and state["complaint_rate"] == pytest.approx(0.2)

    bounced, complained = await room.find(HARD), await room.find(COMPLAINER)
    assert bounced["status"] == "bounced" and complained["status"] == "complained"
    for person in (bounced, complained):
        assert person["lists"] and all(place["status"] == "unsubscribed" for place in person["lists"]), person
    assert [e["action"] for e in await room.history(complained["id"])][-1] == "complained"
    assert "5.1.1" in (await room.history(bounced["id"]))[-1]["basis"]

    listing = await room.client.get(f"/api/v1/campaigns/{first['id']}/bounces", headers=room.admin)
    assert listing.status_code == 200
    assert sorted((b["kind"], b["email"], b["effect"]) for b in listing.json()) == [
        ("complaint", COMPLAINER, "complained"),
        ("hard", HARD, "bounced"),
    ]
    assert len((await room.client.get("/api/v1/bounces", headers=room.admin)).json()) == 2
    # Editors learn what came back and why, never who is on a list: the addresses are masked.
    editor = {"Authorization": f"Bearer {(await add_staff('editor@scmi.test', 'editor', name='Ed')).token}"}
    masked = await room.client.get(f"/api/v1/campaigns/{first['slug']}/bounces", headers=editor)
    assert masked.status_code == 200
    assert sorted(b["email"] for b in masked.json()) == ["p***@partner.example", "p***@partner.example"]
    assert all(b["reason"] for b in masked.json())

    # The next campaign skips them both.
    envelopes.received.clear()
    second = await send(room, await draft(room, [], slug="december"))
    assert second["counts"]["recipients"] == 3
    mailed = {address for _, rcpt, _ in envelopes.received for address in rcpt}
    assert mailed == {address for address, _, _ in FIVE[2:]}

    # An import cannot bring the complainer (or the bounced address) back; nor can staff.
    imported = await room.client.post(
        "/api/v1/subscribers/import",
        params={"basis": "partners list 2027"},
        content=f"email,name,organisation,lang,lists\n{COMPLAINER},Back,,en,partners\n{HARD},Back,,en,partners\n",
        headers={**room.admin, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    assert (await room.find(COMPLAINER))["status"] == "complained"
    assert (await room.find(HARD))["status"] == "bounced"
    again = await room.post(
        "/api/v1/subscribers",
        json={"email": COMPLAINER, "basis": "asked by phone", "lists": ["partners"]},
        headers=room.admin,
    )
    assert again.status_code == 409
