"""What a refresh of a sending campaign's progress page costs the database: one statement, on its indexes."""

from datetime import timedelta

import pytest

from newsletters.campaigns import ledger, states
from newsletters.tables import Campaign, Delivery
from tests.conftest import Database
from tests.newsletters.campaigns.helpers import sending_campaign
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import sign_in_as

ADDRESSES = [f"reader{n}@example.org" for n in range(12)]


async def test_a_progress_refresh_runs_one_statement_with_the_ledgers_counts(
    db: Database, console: ConsoleClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = await sending_campaign(*ADDRESSES)
    # Rows in several states: five sent (one of them later complained of), one bounced, the rest pending.
    claimed = await ledger.claim(campaign, 6, timedelta(minutes=5))
    await ledger.mark_sent([(row.id, f"<{n}@newsroom.test>") for n, row in enumerate(claimed[:5])])
    await ledger.mark_bounced(claimed[5], "550 no such mailbox")
    await Delivery.update({Delivery.late_outcome: "complaint"}).where(Delivery.id == claimed[0].id)
    await sign_in_as(console, "editor")
    page = f"/console/campaigns/{campaign}"
    assert (await console.get(page)).status_code == 200  # the session is looked up once, then kept

    caught: list[str] = []
    engine = Campaign._meta.db  # the app's own engine, bound while it runs
    # The engine's own query log, kept instead of printed: every statement the request sends.
    monkeypatch.setattr(type(engine), "print_query", lambda _, query_id, query: caught.append(query))
    monkeypatch.setattr(engine, "log_queries", True)
    refreshed = await console.get(page)
    monkeypatch.setattr(engine, "log_queries", False)

    assert refreshed.status_code == 200
    assert len(caught) == 1, caught
    shown = (await states.get_campaign(campaign)).counts
    assert shown == await ledger.counts(campaign)  # the one statement counts as the ledger's own count
    assert (shown.recipients, shown.sent, shown.bounced, shown.pending, shown.complained) == (12, 5, 1, 6, 1)
    assert 'data-status="sending"' in refreshed.text
    if db.backend == "postgres":
        # The plan reads the ledger through its indexes, never the whole table (tiny tables would
        # tempt the planner to scan them, so scans are priced out as they are for a large ledger).
        connection = await engine.get_new_connection()
        try:
            await connection.execute("SET enable_seqscan = off")
            plan = "\n".join(row[0] for row in await connection.fetch(f"EXPLAIN {caught[0]}"))
        finally:
            await connection.close()
        assert "on delivery" in plan and "Seq Scan on delivery" not in plan, plan
        assert "Index Only Scan using delivery_due on delivery" in plan, plan
        assert "using delivery_complaints on delivery" in plan, plan
