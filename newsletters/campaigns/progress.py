"""A campaign with its template's slug and delivery counts in one statement: what a progress refresh costs.

The progress page is fetched again every few seconds while a campaign sends, so it reads the row
(without the frozen content, which it never shows), the template's slug and every count in one
round trip: the status counts from one pass over `delivery_due (campaign, status, …)` (an index-only
scan on PostgreSQL) and the complaints from the partial index `delivery_complaints`.
"""

import json
from typing import Any, Final
from uuid import UUID

from core.errors import NotFound
from newsletters.campaign_schemas import CampaignOut, Counts
from newsletters.campaigns.drafts import campaign_shape
from newsletters.tables import Campaign

# `pending` is what ledger.OPEN holds: pending, claimed and deferred rows.
STATEMENT: Final = """
SELECT c.id, c.slug, c.status, c.subject_ka, c.subject_en, c.intro_ka, c.intro_en, c.entries, c.lists,
       c.from_name, c.from_address, c.reply_to, c.send_at, c.started_at, c.sent_at,
       t.slug AS template_slug,
       n.recipients, n.sent, n.failed, n.bounced, n.pending, n.skipped,
       (SELECT COUNT(*) FROM delivery AS d
         WHERE d.campaign = c.id AND d.late_outcome = 'complaint') AS complained
FROM campaign AS c
JOIN newsletter_template AS t ON t.id = c.template
CROSS JOIN (
    SELECT COUNT(*) AS recipients,
           COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0) AS sent,
           COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed,
           COALESCE(SUM(CASE WHEN status = 'bounced' THEN 1 ELSE 0 END), 0) AS bounced,
           COALESCE(SUM(CASE WHEN status IN ('pending', 'claimed', 'deferred') THEN 1 ELSE 0 END), 0)
               AS pending,
           COALESCE(SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END), 0) AS skipped
    FROM delivery WHERE campaign = {}
) AS n
WHERE c.id = {}
"""


def _loaded(value: Any) -> Any:
    """A JSON column as read by a raw statement: text on asyncpg, already loaded on some SQLite set-ups."""
    return json.loads(value) if isinstance(value, str) else value


async def campaign_with_counts(campaign_id: UUID) -> CampaignOut:
    """A campaign as editors read it, with its counts, in one statement."""
    rows = await Campaign.raw(STATEMENT, campaign_id, campaign_id)
    if not rows:
        raise NotFound(f"no campaign {campaign_id}")
    row = rows[0]
    row["id"] = UUID(str(row["id"]))
    row["entries"], row["lists"] = _loaded(row["entries"]), _loaded(row["lists"])
    counts = Counts(
        recipients=int(row["recipients"]),
        sent=int(row["sent"]),
        failed=int(row["failed"]),
        bounced=int(row["bounced"]),
        pending=int(row["pending"]),
        skipped=int(row["skipped"]),
        complained=int(row["complained"]),
    )
    return campaign_shape(row, row["template_slug"], counts)
