"""Staff: registrations with counts, search, CSV export safe in a spreadsheet, check-in; retention with a clock."""

import csv
import io
from datetime import UTC, datetime, timedelta

from accounts.tables import AuditEvent
from newsletters.addresses import address_key
from registrations.retention import erase_expired, erase_person
from registrations.tables import Registration
from tests.registrations.conftest import JSON, Desk


async def test_list_search_export_and_check_in(desk: Desk) -> None:
    event = await desk.event(capacity=1, waitlist=True)
    formula = await desk.registered(event["id"], "calc@example.ge", name='=HYPERLINK("http://x")')
    await desk.confirm(formula)
    second = await desk.registered(event["id"], "second@example.ge", name="Second", organisation="IOM")
    await desk.confirm(second)
    await desk.register(event["id"], "pending@example.ge", name="Pending")

    listing = await desk.staff_list(event["id"])
    assert listing["counts"] == {
        "pending": 1, "registered": 1, "waitlisted": 1, "accreditation_pending": 0, "accredited": 0,
        "refused": 0, "cancelled": 0,
    }  # fmt: skip
    assert listing["capacity"] == 1
    base = f"/api/v1/events/{event['id']}/registrations"
    found = (await desk.client.get(base, params={"q": "iom"}, headers=desk.editor)).json()
    assert [item["email"] for item in found["items"]] == ["second@example.ge"]
    waiting = (await desk.client.get(base, params={"status": "waitlisted"}, headers=desk.editor)).json()
    assert [item["name"] for item in waiting["items"]] == ["Second"]
    bad = await desk.client.get(base, params={"status": "everyone"}, headers=desk.editor)
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    hostile = (await desk.client.get(base, params={"q": "%_\\"}, headers=desk.editor)).json()
    assert hostile["items"] == []  # wildcards typed by staff are taken literally

    export = await desk.client.get(f"{base}/export", headers=desk.editor)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [row["email"] for row in rows] == ["calc@example.ge", "second@example.ge", "pending@example.ge"]
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'

    holder = next(item for item in listing["items"] if item["status"] == "registered")
    arrived = await desk.client.post(f"{base}/{holder['id']}/check-in", headers=desk.editor)
    assert arrived.status_code == 200
    first_time = arrived.json()["checked_in_at"]
    assert first_time is not None
    again = await desk.client.post(f"{base}/{holder['id']}/check-in", headers=desk.editor)
    assert again.json()["checked_in_at"] == first_time
    waiter = next(item for item in listing["items"] if item["status"] == "waitlisted")
    assert (await desk.client.post(f"{base}/{waiter['id']}/check-in", headers=desk.editor)).status_code == 409
    assert (
        await desk.client.get("/api/v1/events/no-such-event/registrations", headers=desk.editor)
    ).status_code == 404


async def test_personal_data_erased_after_the_retention_period_counts_kept(desk: Desk) -> None:
    event = await desk.event(capacity=5)
    link = await desk.registered(event["id"], "nino@example.ge", name="Nino", organisation="NGO")
    await desk.confirm(link)
    ends = datetime(2030, 12, 18, 9, 0, tzinfo=UTC)
    assert await erase_expired(ends + timedelta(days=89), 90) == {}
    assert (await desk.client.get(link, headers=JSON)).status_code == 200
    erased = await erase_expired(ends + timedelta(days=90, minutes=1), 90)
    assert {str(key): value for key, value in erased.items()} == {event["id"]: 1}
    [row] = await Registration.select().where(Registration.event == event["id"])
    assert (row["email"], row["name"], row["organisation"], row["token"], row["ip"]) == (
        None,
        "",
        "",
        None,
        "",
    )
    assert row["status"] == "registered"
    assert row["erased_at"] is not None
    listing = await desk.staff_list(event["id"])
    assert listing["counts"]["registered"] == 1
    assert listing["places_taken"] == 1
    assert listing["items"][0]["erased"] is True
    assert "nino" not in str(listing).lower()
    assert (await desk.client.get(link, headers=JSON)).status_code == 404
    audit = (
        await AuditEvent.select()
        .where(AuditEvent.request_id == "registration-retention")
        .output(load_json=True)
    )
    assert [entry["detail"]["erased"] for entry in audit] == [1]
    assert await erase_expired(ends + timedelta(days=200), 90) == {}  # nothing left to erase, nothing logged


async def test_erasure_of_a_person_covers_every_registration(desk: Desk) -> None:
    first = await desk.event(capacity=5)
    second = await desk.event(capacity=5)
    await desk.register(first["id"], "gone@example.ge")
    await desk.register(second["id"], "gone@example.ge")
    await desk.register(second["id"], "stays@example.ge")
    key = address_key(desk.room.settings.secret_key, "gone@example.ge")
    assert await erase_person(key, datetime.now(UTC), staff_id=None, staff_email="admin@scmi.test") == 2
    emails = sorted(str(row["email"]) for row in await Registration.select(Registration.email))
    assert emails == ["None", "None", "stays@example.ge"]


async def test_erasing_a_subscriber_erases_their_registrations_too(desk: Desk) -> None:
    event = await desk.event(capacity=5)
    await desk.register(event["id"], "both@example.ge")
    subscribed = await desk.room.subscribe("both@example.ge")
    assert subscribed.status_code == 202
    person = await desk.room.find("both@example.ge")
    erased = await desk.client.delete(f"/api/v1/subscribers/{person['id']}", headers=desk.room.admin)
    assert erased.status_code in (200, 204), erased.text
    [row] = await Registration.select().where(Registration.event == event["id"])
    assert row["email"] is None
    assert row["erased_at"] is not None
    audit = (
        await AuditEvent.select()
        .where(AuditEvent.request_id == "registration-erasure")
        .output(load_json=True)
    )
    assert [entry["detail"]["erased"] for entry in audit] == [1]
