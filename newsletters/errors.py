"""Errors of the newsletters domain that the shared ones do not name."""

from core.errors import Conflict


class LinkExpired(Conflict):
    """A confirmation link older than its lifetime: the person must subscribe again."""
