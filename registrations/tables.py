"""Piccolo tables of the registrations app: registrations, the mails they are owed, watched events."""

from piccolo.columns import (
    UUID,
    BigInt,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from content.tables import Entry


class Registration(Table):
    """One person's registration for one event; personal columns are emptied by retention or erasure."""

    id = UUID(primary_key=True)
    event = ForeignKey(references=Entry, on_delete=OnDelete.cascade)
    # HMAC(secret_key, normalised address): one registration per address and event (a unique index).
    address_key = Varchar(length=64)
    email = Varchar(length=320, null=True, default=None)
    name = Varchar(length=200, default="")
    organisation = Varchar(length=300, default="")
    outlet = Varchar(length=300, default="")
    lang = Varchar(length=2, default="ka")
    role = Varchar(length=20, default="participant")
    status = Varchar(length=30, default="pending")
    # The random token of the registrant's own page; null once erased.
    token = Varchar(length=64, null=True, default=None, unique=True)
    # Order of confirmation: places and the waiting list are served in this order.
    position = BigInt(null=True, default=None)
    consent_text = Text(default="")
    consent_version = Varchar(length=20, default="")
    ip = Varchar(length=64, default="")
    user_agent = Text(default="")
    decision_note = Text(default="")
    decided_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    confirmation_sent_at = Timestamptz(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None)
    erased_at = Timestamptz(null=True, default=None)
    # Opted out of mail to the event's registrants (campaigns); mails about their own registration
    # (confirmation, place, changes of time or place, cancellation) still go out.
    event_mail_opted_out_at = Timestamptz(null=True, default=None)


class RegistrationMail(Table, tablename="registration_mail"):
    """A mail a registrant is owed (written with the change that owes it), and when it went out."""

    id = UUID(primary_key=True)
    registration = ForeignKey(references=Registration, on_delete=OnDelete.cascade)
    # confirm (the double opt-in link), registered, waitlisted, promoted, accreditation_pending,
    # accredited, refused, cancelled, reminder, changed, event_cancelled
    kind = Varchar(length=30)
    created_at = Timestamptz()
    # Taken by a worker at this time; a claim older than the timeout is taken again.
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)


class WatchedEvent(Table, tablename="registration_watched_event"):
    """What registrants were last told of an event (time, place, cancelled): a change owes them a mail."""

    id = UUID(primary_key=True)
    event = ForeignKey(references=Entry, on_delete=OnDelete.cascade, unique=True)
    fingerprint = Varchar(length=64)
    checked_at = Timestamptz()
