"""The console's campaign pages show what came back: bounced and complained counts, the complaint rate
and its flag above 0.1 %, in Georgian and English."""

from newsletters.bounces.effects import Incoming, Rules, record
from tests.newsletters.conftest import smtp
from tests.service.console.staff_pages import sign_in_as
from tests.service.console.test_campaign_pages import Room, audience, compose, room, two_entries

__all__ = ["room", "smtp"]  # the fixtures, shared with the other campaign page tests

RULES = Rules(secret_key="test-key")


async def test_bounces_and_a_flagged_complaint_rate_show_in_both_languages(room: Room) -> None:
    await audience()
    editor = await sign_in_as(room.console, "editor", lang="en", name="Editor One")
    campaign = await compose(room, await two_entries(editor))
    sent = await room.post(
        f"/console/campaigns/{campaign}", f"/console/campaigns/{campaign}/send", {"action": "send"}
    )
    assert sent.status_code == 303
    await room.run_jobs()
    quiet = await room.console.get(f"/console/campaigns/{campaign}")
    assert '<dd id="count-sent">3</dd>' in quiet.text
    assert "0.00 % of the mail sent" in quiet.text
    assert "complaints-flagged" not in quiet.text and 'class="flag"' not in quiet.text

    # What came back later: a hard bounce and a spam complaint, as the mailbox or a webhook reports them.
    for kind, address in (("hard", "anna@example.net"), ("complaint", "both@example.org")):
        effect = await record(Incoming(kind=kind, source="webhook", email=address, reason="test"), RULES)
        assert effect in ("bounced", "complained")

    page = await room.console.get(f"/console/campaigns/{campaign}")
    assert page.status_code == 200
    assert '<dd id="count-bounced">1</dd>' in page.text
    assert '<dd id="count-complained">1</dd>' in page.text
    assert "The complaint rate is above 0.1 %." in page.text
    # One complaint in the three mails mailed (a late hard bounce was mailed too): 33.33 %.
    assert "33.33 % of the mail sent" in page.text and '<strong class="flag">flagged</strong>' in page.text
    # The flag is inside the region the progress script refreshes.
    assert page.text.index('id="progress"') < page.text.index('id="complaints-flagged"')
    listing = await room.console.get("/console/campaigns/")
    assert '<strong class="flag">flagged (33.33 %)</strong>' in listing.text

    await sign_in_as(room.console, "editor", lang="ka", name="Editor Two")
    ka_page = await room.console.get(f"/console/campaigns/{campaign}")
    assert "სპამად მონიშვნის წილი 0,1 %-ს აღემატება." in ka_page.text
    assert "გაგზავნილის 33,33 %" in ka_page.text
    assert "<dt>სპამად მონიშვნა</dt>" in ka_page.text
    ka_listing = await room.console.get("/console/campaigns/")
    assert "გაფრთხილება (33,33 %)" in ka_listing.text
