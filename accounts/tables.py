"""Piccolo tables of the accounts app."""

from piccolo.columns import JSON, UUID, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table


class Staff(Table):
    """A member of the secretariat's staff who writes, publishes or administers."""

    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True)
    name = Varchar(length=200, default="")
    role = Varchar(length=20)
    created_at = Timestamptz()
    disabled_at = Timestamptz(null=True, default=None)


class ApiToken(Table):
    """A bearer token, stored only as its SHA-256; revoked tokens stay for the record."""

    id = UUID(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    label = Varchar(length=200, default="")
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class AuditEvent(Table):
    """One write made through the API: who, what, when, and how it ended."""

    id = UUID(primary_key=True)
    at = Timestamptz()
    staff_id = UUID(null=True, default=None)
    staff_email = Varchar(length=320, default="")
    method = Varchar(length=10)
    path = Text()
    status = Integer()
    request_id = Varchar(length=64, default="")
    detail = JSON(default={})


class StaffCredential(Table):
    """How a staff member signs in to the console: a password hash and an optional TOTP secret."""

    id = UUID(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade, unique=True)
    password_hash = Text(default="")
    totp_secret = Varchar(length=64, default="")
    # The last TOTP time step accepted: a code is good once, however fast it is replayed.
    totp_last_step = Integer(default=0)
    interface_lang = Varchar(length=5, default="ka")
    # Editors are mailed when a draft is submitted for review, unless they turn it off.
    review_mails = Boolean(default=True)
    updated_at = Timestamptz()


class StaffInvite(Table):
    """A one-time welcome link, stored as its SHA-256: valid 72 hours, spent on first use."""

    id = UUID(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class RecoveryCode(Table):
    """A one-time code that stands in for a TOTP code when the phone is lost (stored hashed)."""

    id = UUID(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade)
    code_hash = Varchar(length=64, unique=True)
    used_at = Timestamptz(null=True, default=None)


class ConsoleSession(Table):
    """A signed-in browser; the cookie holds a random token, the table only its SHA-256."""

    id = UUID(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    # "second_factor" until the TOTP step (or its set-up) is done; only "signed_in" opens the console.
    stage = Varchar(length=20, default="signed_in")
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")


class SignInFailure(Table):
    """A refused sign-in, counted per account and per address to throttle guessing."""

    id = UUID(primary_key=True)
    at = Timestamptz()
    email = Varchar(length=320, default="")
    ip = Varchar(length=64, default="")
