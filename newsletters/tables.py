"""Piccolo tables of the newsletters app: subscribers, lists, consent, templates, campaigns and deliveries."""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class MailingList(Table, tablename="mailing_list"):
    """An audience (press, partners...) named in both languages; only public lists take sign-ups."""

    id = UUID(primary_key=True)
    slug = Varchar(length=100, unique=True)
    name_ka = Varchar(length=200)
    name_en = Varchar(length=200)
    description_ka = Text(default="")
    description_en = Text(default="")
    public = Boolean(default=False)
    created_at = Timestamptz()


class Subscriber(Table):
    """A person who receives newsletters; `address_key` outlives erasure to block re-adding."""

    id = UUID(primary_key=True)
    # HMAC(secret_key, normalised address): unique, and kept after erasure as the suppression key.
    address_key = Varchar(length=64, unique=True)
    email = Varchar(length=320, null=True, default=None)
    name = Varchar(length=200, default="")
    organisation = Varchar(length=300, default="")
    lang = Varchar(length=2, default="ka")
    status = Varchar(length=20, default="pending")
    # The random per-subscriber token of unsubscribe and preferences links; null once erased.
    token = Varchar(length=64, null=True, default=None, unique=True)
    basis = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    confirmation_sent_at = Timestamptz(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    unsubscribed_at = Timestamptz(null=True, default=None)
    erased_at = Timestamptz(null=True, default=None)


class Membership(Table):
    """A subscriber on a list, with its own status (pending, active, unsubscribed) and times."""

    id = UUID(primary_key=True)
    subscriber = ForeignKey(references=Subscriber, on_delete=OnDelete.cascade)
    mailing_list = ForeignKey(references=MailingList, on_delete=OnDelete.cascade)
    status = Varchar(length=20, default="pending")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    subscribed_at = Timestamptz(null=True, default=None)
    unsubscribed_at = Timestamptz(null=True, default=None)


class ConsentEvent(Table, tablename="consent_event"):
    """One append-only record of a consent step: who, when, from where, which lists, what text."""

    id = UUID(primary_key=True)
    subscriber = ForeignKey(references=Subscriber, on_delete=OnDelete.cascade)
    action = Varchar(length=30)
    created_at = Timestamptz()
    source = Varchar(length=30, default="")
    ip = Varchar(length=64, default="")
    user_agent = Text(default="")
    lists = JSON(default=[])
    lang = Varchar(length=2, default="ka")
    consent_text = Text(default="")
    consent_version = Varchar(length=40, default="")
    basis = Text(default="")
    staff_id = UUID(null=True, default=None)


class Template(Table, tablename="newsletter_template"):
    """An MJML newsletter template with sandboxed Jinja placeholders, validated when saved."""

    id = UUID(primary_key=True)
    slug = Varchar(length=100, unique=True)
    name_ka = Varchar(length=200)
    name_en = Varchar(length=200)
    mjml = Text()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Campaign(Table):
    """A newsletter in both languages, to the union of some lists; `round` numbers each send attempt."""

    id = UUID(primary_key=True)
    slug = Varchar(length=100, unique=True)
    status = Varchar(length=20, default="draft")
    template = ForeignKey(references=Template, on_delete=OnDelete.restrict)
    subject_ka = Text(default="")
    subject_en = Text(default="")
    intro_ka = Text(default="")
    intro_en = Text(default="")
    entries = JSON(default=[])  # entry ids, in order
    lists = JSON(default=[])  # list slugs
    # "" for the union of `lists`; another kind (e.g. "event") is resolved by campaigns.audiences,
    # with what it needs in `audience_spec` (e.g. the event and the statuses mailed).
    audience = Varchar(length=30, default="")
    audience_spec = JSON(default={})
    from_name = Varchar(length=200, default="")
    from_address = Varchar(length=320, default="")
    reply_to = Varchar(length=320, null=True, default=None)
    # The entries as sent, per language (frozen when sending starts, so the mail and archive agree).
    content = JSON(default={})
    send_at = Timestamptz(null=True, default=None)
    round = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)


class Delivery(Table):
    """The ledger: one row per campaign and recipient, written before any mail goes out."""

    id = UUID(primary_key=True)
    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.cascade)
    subscriber = UUID()
    email = Varchar(length=320)
    lang = Varchar(length=2)
    name = Varchar(length=200, default="")
    token = Varchar(length=64)
    # pending, claimed, sent, deferred (temporary failure, retried), failed (permanent)
    status = Varchar(length=20, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    lease_until = Timestamptz(null=True, default=None)
    message_id = Varchar(length=200, null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    error = Text(default="")
    # What came back after the message was sent (a report in the bounce mailbox, a webhook):
    # "" nothing, "hard", "soft" or "complaint"; a late hard bounce also turns the status to bounced.
    late_outcome = Varchar(length=20, default="")
    late_at = Timestamptz(null=True, default=None)


class Bounce(Table):
    """One delivery or complaint report that came back: what, for whom, why, and what it did."""

    id = UUID(primary_key=True)
    kind = Varchar(length=20)  # hard, soft, complaint
    source = Varchar(length=30)  # mailbox, webhook, ses, mailgun
    # The address the report names (cleared when its subscriber is erased).
    email = Varchar(length=320, default="")
    subscriber = UUID(null=True, default=None)
    campaign = UUID(null=True, default=None)
    delivery = UUID(null=True, default=None)
    # The report's own Message-ID (or a digest of it): reading one report twice counts it once.
    report_id = Varchar(length=300, null=True, default=None, unique=True)
    reason = Text(default="")
    effect = Varchar(length=20, default="")  # bounced, complained, counted, none (unknown address)
    created_at = Timestamptz()


class KeptMessage(Table, tablename="bounce_mailbox_kept"):
    """A message of a POP3 bounce mailbox that could not be read, left there for people: not fetched again."""

    id = UUID(primary_key=True)
    mailbox = Varchar(length=64)  # a digest of the mailbox's host, port and user
    uidl = Varchar(length=100)  # the message's POP3 unique id (1 to 70 characters)
    kept_at = Timestamptz()


class PressGrant(Table, tablename="press_grant"):
    """One journalist's early access to one embargoed entry; only the personal link's sha256 is kept."""

    id = UUID(primary_key=True)
    entry = UUID()
    email = Varchar(length=320)
    lang = Varchar(length=2, default="ka")
    # The subscriber and list the address came from (none for an address typed in by staff).
    subscriber = UUID(null=True, default=None)
    list_slug = Varchar(length=100, default="")
    # Set when the mail is built: the token itself lives only in the journalist's mail.
    token_hash = Varchar(length=64, null=True, default=None, unique=True)
    granted_by = UUID(null=True, default=None)
    granted_at = Timestamptz()
    mailed_at = Timestamptz(null=True, default=None)
    # Tries at mailing it: the worker's sweep tries again (up to 5) what Redis lost or SMTP refused.
    attempts = Integer(default=0)
    attempted_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class PressOpening(Table, tablename="press_opening"):
    """One opening of a personal press link (a mail scanner's included: it cannot be told apart)."""

    id = UUID(primary_key=True)
    press_grant = ForeignKey(references=PressGrant, on_delete=OnDelete.cascade)
    opened_at = Timestamptz()


class ImportRun(Table, tablename="subscriber_import"):
    """A CSV import run by the worker: who asked, on what basis, how far it got, and its report."""

    id = UUID(primary_key=True)
    status = Varchar(length=20)  # queued, running, done, failed
    filename = Varchar(length=300, default="")
    basis = Text()
    source = Varchar(length=30, default="")
    ip = Varchar(length=64, default="")
    user_agent = Text(default="")
    staff_id = UUID(null=True, default=None)
    total = Integer(default=0)  # data rows in the file
    done = Integer(default=0)  # rows read so far
    report = JSON(default={})
    error = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
