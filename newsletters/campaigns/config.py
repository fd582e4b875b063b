"""What the campaign engine is configured by: read from the settings once, at worker start-up."""

from dataclasses import dataclass, field
from datetime import timedelta

from newsletters.bounces.verp import ReturnPaths
from newsletters.campaigns.audiences import Audience
from newsletters.campaigns.ledger import BACKOFF
from newsletters.dkim_signing import DkimKey


@dataclass(frozen=True, slots=True)
class SendingConfig:
    """Batch size, lease, backoff, DKIM key and parallel connections of campaign sending."""

    public_url: str
    batch_size: int = 200
    lease: timedelta = timedelta(minutes=5)
    dkim: DkimKey | None = None
    timeout: float = 30.0  # the longest one message may take: a batch stops this long before its lease ends
    backoff: tuple[timedelta, ...] = BACKOFF  # waits before the 2nd, 3rd... try of a deferred row
    connections: int = 2  # chains of batch jobs (slots) per campaign, one SMTP connection each
    # VERP envelope senders when BOUNCE_DOMAIN is set, else the From address.
    return_paths: ReturnPaths = field(default_factory=ReturnPaths)
    # Audiences other than lists by kind (see campaigns.audiences), handed in by the worker.
    audiences: dict[str, Audience] = field(default_factory=dict)

    @property
    def lease_seconds(self) -> int:
        """The lease in whole seconds (at least one), as Redis expiries want it."""
        return max(int(self.lease.total_seconds()), 1)
