"""What a transport raises when a message did not go: the campaign engine decides retry or bounce by it."""


class SendFailed(Exception):
    """The server refused the message, or the connection failed; `permanent` for a 5xx answer."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent
