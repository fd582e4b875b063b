"""Campaign mail as a reader sees it: every received HTML part, decoded by `email` and laid out in Chromium
at 600 and 375 px, shows the same text with the same computed styles as the renderer's HTML."""

from email.message import EmailMessage

from tests.helpers import bilingual, create_published
from tests.newsletters.conftest import Inbox, Newsroom
from tests.newsletters.reader import WIDTHS, first_difference, layouts, reader, received_html, rendered_html
from tests.newsletters.test_campaigns import add_partners, draft

KA_WORDS = [
    "მიგრაციის",
    "საკითხთა",
    "სამთავრობო",
    "კომისიამ",
    "სამოქმედო",
    "გეგმა",
    "განიხილა",
    "და",
    "დაამტკიცა",
]
EN_WORDS = [
    "the",
    "State",
    "Commission",
    "on",
    "Migration",
    "Issues",
    "discussed",
    "and",
    "adopted",
    "its",
    "action",
    "plan",
]
# Names of several lengths, so the personal parts land at many offsets of the encoded lines.
PEOPLE = [
    ("nino@example.ge", "ka", "ნინო ბერიძე"),
    ("giorgi@example.ge", "ka", "გიორგი " + "მ" * 41),
    ("anna@example.org", "en", "Anna"),
    ("john@example.org", "en", "John " + "Q" * 57 + " Smith"),
]
CAMPAIGNS = 5


def words(vocabulary: list[str], count: int, offset: int = 0) -> str:
    return " ".join(vocabulary[(offset + i) % len(vocabulary)] for i in range(count))


def intro(vocabulary: list[str], size: int) -> str:
    """Long paragraphs whose lengths step through every position of a line break."""
    return "\n\n".join(words(vocabulary, size + 13 * paragraph, paragraph) for paragraph in range(3))


async def test_every_block_of_every_mail_is_seen_as_rendered(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    room, (inbox, _) = newsroom_smtp, smtp
    await add_partners(room, PEOPLE)
    sent: list[tuple[str, EmailMessage, str]] = []
    missing: list[tuple[int, str]] = []
    for number in range(CAMPAIGNS):
        entries = []
        for title in range(3):
            length = 1 + number * 7 + title * 11  # titles from 1 to 50 words
            body = bilingual(words(KA_WORDS, length, title)[:500], words(EN_WORDS, length, title)[:500])
            entries.append((await create_published(room.client, room.admin, body=body))["id"])
        campaign = await draft(
            room,
            entries,
            intro={"ka": intro(KA_WORDS, 60 + 23 * number), "en": intro(EN_WORDS, 90 + 29 * number)},
        )
        before = len(inbox.messages)
        response = await room.post(f"/api/v1/campaigns/{campaign['id']}/send", json={}, headers=room.admin)
        assert response.status_code == 202, response.text
        await room.run_jobs()
        arrived = {address for [address] in inbox.recipients[before:]}
        missing += [(number, person[0]) for person in PEOPLE if person[0] not in arrived]
        for message, [address] in zip(inbox.messages[before:], inbox.recipients[before:], strict=True):
            name = next(person[2] for person in PEOPLE if person[0] == address)
            sent.append((campaign["id"], message, name))

    received = [received_html(message) for _, message, _ in sent]
    rendered = [
        await rendered_html(campaign_id, message, name, room.settings.public_url)
        for campaign_id, message, name in sent
    ]
    async with reader() as page:
        for width in WIDTHS:
            seen = await layouts(page, received + rendered, width)
            for index, (got, want) in enumerate(zip(seen[: len(sent)], seen[len(sent) :], strict=True)):
                _, message, name = sent[index]
                where = f"mail {index} to {name!r} ({message['Content-Language']}) at {width} px"
                # Only the preheader is hidden by design, in the renderer's HTML as in the mail.
                assert len(want.hidden()) <= 1, f"{where}: the renderer hides {want.hidden()}"
                assert got.hidden() == want.hidden(), f"{where}: hidden in the client: {got.hidden()}"
                assert got == want, f"{where}: {first_difference(got, want)}"
                assert name in " ".join(got.visible_text()), where
    assert not missing, f"mails that never arrived (campaign, address): {missing}"
