"""VERP round trips through the aiosmtpd sink: confirmation and test mails carry return paths too."""

from collections.abc import AsyncIterator
from dataclasses import replace
from uuid import UUID

import pytest

from newsletters.bounces.effects import Rules, record
from newsletters.bounces.intake import incoming_of
from newsletters.bounces.verp import read_token
from newsletters.tables import Bounce
from service.settings import Settings
from tests.conftest import Database
from tests.newsletters.bounces import samples
from tests.newsletters.bounces.conftest import Envelopes
from tests.newsletters.conftest import Newsroom, newsroom_for
from tests.newsletters.test_campaigns import draft

DOMAIN = "bounces.newsroom.test"


@pytest.fixture
async def room(settings: Settings, db: Database, sink: tuple[Envelopes, str]) -> AsyncIterator[Newsroom]:
    async with newsroom_for(replace(settings, smtp_url=sink[1], bounce_domain=DOMAIN), db) as newsroom:
        yield newsroom


def token_of(sender: str) -> str:
    local, _, domain = sender.partition("@")
    assert domain == DOMAIN and local.startswith("bounces+"), sender
    return local.removeprefix("bounces+")


async def test_a_bounced_confirmation_mail_comes_back_to_its_subscriber(
    room: Newsroom, sink: tuple[Envelopes, str]
) -> None:
    envelopes = sink[0]
    assert (await room.subscribe("typo@partner.example")).status_code == 202
    await room.run_jobs()
    sender = envelopes.sender_to("typo@partner.example")
    person = await room.find("typo@partner.example")
    verp = read_token(room.settings.secret_key, token_of(sender))
    assert verp is not None and (verp.kind, verp.id) == ("s", UUID(person["id"]))

    # The address does not exist: the relay's report names the subscriber by the return path alone.
    raw = samples.postfix_dsn(sender, "someone-else@partner.example", "<none@x>")
    incoming = incoming_of(raw, room.settings.secret_key)
    assert incoming is not None
    assert await record(incoming, Rules(secret_key=room.settings.secret_key)) == "bounced"
    assert (await room.find("typo@partner.example"))["status"] == "bounced"


async def test_a_test_send_has_a_return_path_naming_the_campaign_and_suppresses_no_one(
    room: Newsroom, sink: tuple[Envelopes, str]
) -> None:
    envelopes = sink[0]
    campaign = await draft(room, [])
    tested = await room.post(
        f"/api/v1/campaigns/{campaign['id']}/test",
        json={"addresses": ["editor@newsroom.test"]},
        headers=room.admin,
    )
    assert tested.status_code == 202
    await room.run_jobs()
    sender = envelopes.sender_to("editor@newsroom.test")
    verp = read_token(room.settings.secret_key, token_of(sender))
    assert verp is not None and (verp.kind, verp.id) == ("t", UUID(campaign["id"]))
    incoming = incoming_of(
        samples.postfix_dsn(sender, "editor@newsroom.test", "<t@x>"), room.settings.secret_key
    )
    assert incoming is not None
    assert await record(incoming, Rules(secret_key=room.settings.secret_key)) == "none"
    row = await Bounce.select().first()
    assert row is not None and row["campaign"] == UUID(campaign["id"]) and row["subscriber"] is None


async def test_without_a_bounce_domain_the_from_address_is_the_return_path(
    settings: Settings, db: Database, sink: tuple[Envelopes, str]
) -> None:
    async with newsroom_for(replace(settings, smtp_url=sink[1]), db) as room:
        await room.subscribe("plain@partner.example")
        await room.run_jobs()
    assert sink[0].sender_to("plain@partner.example") == "newsroom@localhost"
