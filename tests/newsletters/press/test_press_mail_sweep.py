"""Press mails Redis lost, or an SMTP server refused, go out again from the database: the worker's sweep."""

from datetime import timedelta
from uuid import UUID, uuid4

from content.schemas import Actor
from core.db import utcnow
from newsletters.press.access import grant_access
from newsletters.press.mail import MAX_ATTEMPTS, owed_press_mails
from newsletters.press.schemas import PressAccessIn
from newsletters.tables import PressGrant
from tasks.enqueue import SWEEP_PRESS_MAILS
from tests.newsletters.conftest import Inbox, Newsroom
from tests.newsletters.press.test_press_access import embargoed_entry, lift_embargo, token_in

EDITOR = Actor(id=uuid4(), name="Editor", can_edit_any=True, can_publish=True)


async def _granted(room: Newsroom, entry_id: str, *addresses: str) -> list[str]:
    """Grants made in the database with no job queued for them (as if Redis had lost the jobs)."""
    listing, new = await grant_access(
        "materials", UUID(entry_id), PressAccessIn(emails=list(addresses), lang="en"), EDITOR,
        secret_key=room.settings.secret_key,
    )  # fmt: skip
    assert len(new) == len(addresses) == listing.granted
    return [str(grant_id) for grant_id in new]


async def sweep(room: Newsroom) -> None:
    """The worker's sweep (its cron job, queued now rather than waited for), and the jobs it queues."""
    await room.app.state.queue.enqueue_job(SWEEP_PRESS_MAILS)
    await room.run_jobs()


async def _age(minutes: int) -> None:
    """The grants were made, and last tried, some minutes ago."""
    before = utcnow() - timedelta(minutes=minutes)
    await PressGrant.update({PressGrant.granted_at: before}).where(PressGrant.granted_at.is_not_null())
    await PressGrant.update({PressGrant.attempted_at: before}).where(PressGrant.attempted_at.is_not_null())


async def test_the_sweep_mails_what_was_owed_once(newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]) -> None:
    inbox, _ = smtp
    room = newsroom_smtp
    entry_id = await embargoed_entry(room)
    await _granted(room, entry_id, "lost@example.org", "tired@example.org", "late@example.org")
    # Just granted: its job may still be on its way, so the sweep leaves it.
    assert await owed_press_mails() == []
    await _age(3)
    # One grant has had every try already; nothing is retried past the limit.
    await PressGrant.update({PressGrant.attempts: MAX_ATTEMPTS}).where(
        PressGrant.email == "tired@example.org"
    )
    assert {grant_id for grant_id, _ in await owed_press_mails()} == {
        row["id"] for row in await PressGrant.select(PressGrant.id).where(PressGrant.attempts == 0)
    }
    await sweep(room)
    (mail,) = inbox.to("lost@example.org")
    assert (await room.client.get(f"/press/{token_in(mail)}")).status_code == 200
    assert inbox.to("tired@example.org") == []
    await sweep(room)  # mailed now: never again
    assert len(inbox.to("lost@example.org")) == 1 and len(inbox.to("late@example.org")) == 1
    rows = {row["email"]: row for row in await PressGrant.select()}
    assert rows["lost@example.org"]["attempts"] == 1 and rows["lost@example.org"]["mailed_at"] is not None


async def test_a_failed_try_is_retried_later_and_a_lifted_embargo_mails_nobody(
    newsroom_smtp: Newsroom, smtp: tuple[Inbox, str]
) -> None:
    inbox, _ = smtp
    room = newsroom_smtp
    entry_id = await embargoed_entry(room)
    await _granted(room, entry_id, "retry@example.org")
    await _age(3)
    # A try that failed a moment ago (token made, no mail): not yet again.
    await PressGrant.update({PressGrant.attempts: 1, PressGrant.attempted_at: utcnow()}).where(
        PressGrant.email == "retry@example.org"
    )
    assert await owed_press_mails() == []
    await _age(3)
    assert [attempts for _, attempts in await owed_press_mails()] == [1]
    await lift_embargo(entry_id)
    assert await owed_press_mails() == []  # the public has it now: no early link to send
    await sweep(room)
    assert inbox.to("retry@example.org") == []
