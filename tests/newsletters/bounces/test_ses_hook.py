"""`POST /hooks/ses`: SNS messages signed with a certificate the test makes and serves over HTTPS;
subscription confirmation, SES bounces and complaints, and every message that must not be believed."""

import datetime
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest

from newsletters.bounces import ses
from newsletters.bounces.sns import SnsTrust
from newsletters.bounces.verp import return_path
from newsletters.tables import Bounce, ConsentEvent
from service.settings import Settings
from tests.conftest import Database
from tests.newsletters.bounces import sns_signing
from tests.newsletters.bounces.sns_signing import (
    CERT_PATH,
    SUBSCRIBE_PATH,
    TOPIC,
    FakeSns,
    confirmation,
    notification,
    ses_bounce,
    ses_complaint,
    signed,
)
from tests.newsletters.conftest import Newsroom, newsroom_for
from tests.newsletters.test_campaigns import add_partners

PEOPLE = [
    ("gone@partner.example", "en", "Gone"),
    ("angry@partner.example", "en", "Angry"),
    ("full@partner.example", "ka", "Full"),
]


@pytest.fixture
def sns() -> Iterator[FakeSns]:
    with sns_signing.fake_sns() as server:
        yield server


async def room_of(settings: Settings, db: Database, trust: SnsTrust) -> AsyncIterator[Newsroom]:
    configured = replace(settings, bounce_sns_topic_arns=(TOPIC,), sns_trust=trust, bounce_soft_limit=2)
    async with newsroom_for(configured, db) as newsroom:
        await add_partners(newsroom, PEOPLE)
        yield newsroom


@pytest.fixture
async def room(settings: Settings, db: Database, sns: FakeSns) -> AsyncIterator[Newsroom]:
    async for newsroom in room_of(settings, db, sns.trust):
        yield newsroom


@pytest.fixture
async def amazon_only(settings: Settings, db: Database) -> AsyncIterator[Newsroom]:
    """The production trust: certificates only from https://sns.<region>.amazonaws.com."""
    async for newsroom in room_of(settings, db, SnsTrust()):
        yield newsroom


async def post(room: Newsroom, message: dict[str, Any]) -> Any:
    # SNS posts its JSON as text/plain.
    return await room.post(
        "/hooks/ses",
        content=json.dumps(message).encode(),
        headers={"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": message["Type"]},
    )


async def statuses(room: Newsroom) -> dict[str, str]:
    return {address: (await room.find(address))["status"] for address, _, _ in PEOPLE}


async def test_a_subscription_is_confirmed_at_amazons_link(room: Newsroom, sns: FakeSns) -> None:
    answer = await post(room, signed(confirmation(sns), sns.key))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"effects": [], "subscription": "confirmed"}
    assert sns.fetched(SUBSCRIBE_PATH) == 1


async def test_a_forged_confirmation_visits_nothing(room: Newsroom, sns: FakeSns) -> None:
    message = signed(confirmation(sns), sns_signing.make_key())  # a key that is not the certificate's
    answer = await post(room, message)
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert sns.fetched(SUBSCRIBE_PATH) == 0
    # Signed properly, but its link leads elsewhere than SNS: refused before it is visited.
    elsewhere = signed({**confirmation(sns), "SubscribeURL": "https://attacker.example/confirm"}, sns.key)
    assert (await post(room, elsewhere)).status_code == 401


@pytest.mark.parametrize("version", ["1", "2"])
async def test_bounces_and_complaints_take_effect(room: Newsroom, sns: FakeSns, version: str) -> None:
    hard = signed(notification(sns, ses_bounce("Gone@Partner.example")), sns.key, version)
    answer = await post(room, hard)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"effects": ["bounced"], "subscription": None}
    complaint = signed(notification(sns, ses_complaint("angry@partner.example")), sns.key, version)
    assert (await post(room, complaint)).json()["effects"] == ["complained"]
    soft = signed(notification(sns, ses_bounce("full@partner.example", "Transient")), sns.key, version)
    assert (await post(room, soft)).json()["effects"] == ["counted"]
    assert await statuses(room) == {
        "gone@partner.example": "bounced",
        "angry@partner.example": "complained",
        "full@partner.example": "active",
    }
    angry = await room.find("angry@partner.example")
    last = (await room.history(angry["id"]))[-1]
    assert (last["action"], last["source"]) == ("complained", "bounce_ses")
    assert "abuse" in last["basis"]
    # One certificate, fetched once for the three messages.
    assert sns.fetched(CERT_PATH) == 1
    listing = (await room.client.get("/api/v1/bounces", headers=room.admin)).json()
    assert sorted((b["kind"], b["source"]) for b in listing) == [
        ("complaint", "ses"),
        ("hard", "ses"),
        ("soft", "ses"),
    ]


async def test_a_replayed_notification_counts_once(room: Newsroom, sns: FakeSns) -> None:
    soft = signed(notification(sns, ses_bounce("full@partner.example", "Transient")), sns.key)
    assert (await post(room, soft)).json()["effects"] == ["counted"]
    # BOUNCE_SOFT_LIMIT is 2 here: the same message again must not be the second soft bounce.
    again = await post(room, soft)
    assert again.status_code == 200
    assert again.json()["effects"] == ["duplicate"]
    assert (await room.find("full@partner.example"))["status"] == "active"
    assert await Bounce.count() == 1


def tampered(sns: FakeSns) -> list[tuple[str, dict[str, Any]]]:
    genuine = signed(notification(sns, ses_complaint("angry@partner.example")), sns.key)
    other_topic = "arn:aws:sns:eu-central-1:999999999999:someone-else"
    return [
        ("message changed after signing", {**genuine, "Message": json.dumps(ses_complaint("gone@partner.example"))}),
        ("subject added after signing", {**genuine, "Subject": "hello"}),
        ("signed by another key", signed(notification(sns, ses_complaint("angry@partner.example")), sns_signing.make_key())),
        ("signature cut", {**genuine, "Signature": genuine["Signature"][:-8]}),
        ("signature not base64", {**genuine, "Signature": "not base64 at all!"}),
        ("version 1 claimed for a version 2 signature", {**genuine, "SignatureVersion": "1"}),
        ("unknown signature version", {**genuine, "SignatureVersion": "3"}),
        ("another topic", signed(notification(sns, ses_complaint("angry@partner.example"), TopicArn=other_topic), sns.key)),
        ("two days old", signed(notification(sns, ses_complaint("angry@partner.example"), Timestamp=sns_signing.now_stamp(-datetime.timedelta(days=2))), sns.key)),
        ("no signature", {k: v for k, v in genuine.items() if k != "Signature"}),
        ("unknown type", signed({**notification(sns, {}), "Type": "Surprise"}, sns.key)),
    ]  # fmt: skip


async def test_forged_and_tampered_messages_are_401_and_change_nothing(room: Newsroom, sns: FakeSns) -> None:
    for name, message in tampered(sns):
        answer = await post(room, message)
        assert answer.status_code == 401, (name, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json"), name
    for junk in (b"", b"{not json", b"[]", json.dumps({"Type": "Notification"}).encode()):
        assert (await room.post("/hooks/ses", content=junk)).status_code == 401, junk
    assert await Bounce.count() == 0
    assert not await ConsentEvent.exists().where(ConsentEvent.action == "complained")
    assert (await statuses(room))["angry@partner.example"] == "active"


AWAY_FROM_AMAZON = [
    "https://127.0.0.1:{port}" + CERT_PATH,  # the very server that holds a valid certificate
    "http://sns.eu-central-1.amazonaws.com" + CERT_PATH,
    "https://sns.eu-central-1.amazonaws.com.attacker.example" + CERT_PATH,
    "https://attacker.example/sns.eu-central-1.amazonaws.com" + CERT_PATH,
    "https://sns.amazonaws.com@attacker.example" + CERT_PATH,
    "https://sns.eu-central-1.amazonaws.com:8443" + CERT_PATH,
    "https://s3.eu-central-1.amazonaws.com" + CERT_PATH,
    "file:///etc/passwd",
    "https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe",  # Amazon's, but no certificate
]


async def test_a_certificate_away_from_amazon_is_never_fetched(amazon_only: Newsroom, sns: FakeSns) -> None:
    for url in AWAY_FROM_AMAZON:
        message = notification(
            sns, ses_complaint("angry@partner.example"), SigningCertURL=url.format(port=sns.port)
        )
        answer = await post(amazon_only, signed(message, sns.key))
        assert answer.status_code == 401, (url, answer.text)
    assert sns.requests == []
    assert await Bounce.count() == 0


def test_the_production_trust_is_amazons_sns_over_https() -> None:
    trust = SnsTrust()
    assert trust.allows("https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-abc.pem")
    assert trust.allows("https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-abc.pem")
    assert not any(trust.allows(url.format(port=8443)) for url in AWAY_FROM_AMAZON[:-1])
    assert Settings.from_env({}).sns_trust == trust


async def test_the_hook_is_off_until_configured(settings: Settings, db: Database, sns: FakeSns) -> None:
    async with newsroom_for(settings, db) as room:
        message = signed(notification(sns, ses_complaint("a@b.example")), sns.key)
        assert (await post(room, message)).status_code == 404
        assert (await room.post("/hooks/mailgun", json={})).status_code == 404
        assert (await room.post("/hooks/postmark", json={})).status_code == 404
    assert sns.requests == []


def test_ses_notifications_name_the_delivery_by_return_path() -> None:
    key, delivery = "secret-key-of-the-test", uuid4()
    sender = return_path(key, "bounces.newsroom.test", "d", delivery)
    body = ses_bounce(
        "gone@partner.example", source=sender, commonHeaders={"messageId": "<abc@newsroom.test>"}
    )
    (found,) = ses.incomings(json.dumps(body), "sns-id", key)
    assert found.verp is not None and (found.verp.kind, found.verp.id) == ("d", delivery)
    assert found.message_ids == ("<abc@newsroom.test>",)
    assert (found.kind, found.email, found.report_id) == ("hard", "gone@partner.example", "sns:sns-id:0")
    assert "550 5.1.1" in found.reason
    # A delivery report SES sends about a success, and a "not spam" feedback, change nothing.
    assert ses.incomings(json.dumps({"notificationType": "Delivery", "mail": {}}), "x", key) == []
    assert ses.incomings(json.dumps(ses_complaint("a@b.example", "not-spam")), "x", key) == []
    assert ses.incomings("not json", "x", key) == []
    assert re.fullmatch(r"bounces\+[a-z2-7]{37}@bounces\.newsroom\.test", sender)
