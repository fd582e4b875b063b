"""Piccolo tables of the accounts app."""

from piccolo.columns import JSON, UUID, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
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
