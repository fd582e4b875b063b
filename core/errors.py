"""Domain errors shared by every domain package; the service maps each to one HTTP answer."""


class DomainError(Exception):
    """Base of the errors the domain raises on purpose; `detail` is safe to show to the caller."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist, or the caller may not know that it does."""


class Conflict(DomainError):
    """The request clashes with the current state (a taken slug, a wrong workflow step)."""


class StaleRevision(Conflict):
    """The entry was saved by someone else since the caller read it; `current` is its revision now."""

    def __init__(self, detail: str, *, expected: int, current: int) -> None:
        super().__init__(detail, field="revision")
        self.expected = expected
        self.current = current


class Invalid(DomainError):
    """The request is well-formed but its values break a rule; `field` names the culprit."""


class Forbidden(DomainError):
    """The caller is known but may not do this to this thing."""


class TooLarge(DomainError):
    """The upload is larger than the configured limit."""


class Unsupported(DomainError):
    """The upload's bytes are of a type the media library does not accept."""
