"""Registration settings on events: editors set them, the public answer and feeds show places left."""

import pytest

from tests.helpers import bilingual
from tests.registrations.conftest import Desk, sitting


async def test_settings_show_places_left_without_personal_data(desk: Desk) -> None:
    event = await desk.event(capacity=3, waitlist=True, press=True, closes_at="2030-12-17T18:00:00+04:00")
    assert event["registration"] == {
        "open": True,
        "capacity": 3,
        "closes_at": "2030-12-17T14:00:00Z",
        "waitlist": True,
        "press": True,
        "places_left": 3,
    }
    public = (await desk.client.get(f"/api/v1/events/{event['id']}")).json()
    assert public["registration"]["places_left"] == 3

    link = await desk.registered(event["id"], "nino@example.ge")
    assert (await desk.confirm(link)).json()["status"] == "registered"
    public = (await desk.client.get(f"/api/v1/events/{event['id']}?lang=en")).json()
    assert public["registration"]["places_left"] == 2
    assert "nino" not in str(public)

    feed = (await desk.client.get("/feeds/en/events.json")).json()
    [item] = feed["items"]
    assert item["_scmi"]["event"]["places_left"] == 2
    assert item["_scmi"]["event"]["registration_open"] is True
    assert "nino" not in str(feed).lower()
    rss = (await desk.client.get("/feeds/en/events.rss")).text
    assert "Places left" in rss


async def test_editors_change_settings_and_capacity_never_drops_below_places_held(desk: Desk) -> None:
    event = await desk.event(capacity=2)
    for address in ("a@example.ge", "b@example.ge"):
        assert (await desk.confirm(await desk.registered(event["id"], address))).json()[
            "status"
        ] == "registered"
    lowered = await desk.client.patch(
        f"/api/v1/events/{event['id']}",
        json={"registration": {"open": True, "capacity": 1}},
        headers=desk.editor,
    )
    assert lowered.status_code == 422, lowered.text
    assert lowered.headers["content-type"].startswith("application/problem+json")
    assert "capacity" in lowered.text
    raised = await desk.client.patch(
        f"/api/v1/events/{event['id']}",
        json={"registration": {"open": False, "capacity": 5}},
        headers=desk.editor,
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["registration"]["places_left"] == 3
    assert raised.json()["registration"]["open"] is False
    closed = await desk.register(event["id"], "c@example.ge")
    assert closed.status_code == 409


@pytest.mark.parametrize(
    "registration",
    [
        {"capacity": -1},
        {"capacity": "many"},
        {"open": "yes"},
        {"closes_at": "tomorrow"},
        {"closes_at": "2030-12-17T18:00:00"},
        {"waitlist": None, "extra": 1},
        [],
    ],
)
async def test_hostile_settings_are_refused(desk: Desk, registration: object) -> None:
    body = {"registration": registration}
    created = await desk.client.post("/api/v1/events", json={**sitting(), **body}, headers=desk.editor)
    assert created.status_code in (400, 422), created.text
    assert created.headers["content-type"].startswith("application/problem+json")


async def test_news_take_no_registration(desk: Desk) -> None:
    response = await desk.client.post(
        "/api/v1/news", json=bilingual(registration={"open": True}), headers=desk.editor
    )
    assert response.status_code == 422
