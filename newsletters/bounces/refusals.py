"""The one refusal of a provider's webhook: its message failed its check, so nothing is done with it."""


class SignatureRefused(Exception):
    """A provider's message failed its check (signature, origin, age, topic, replay): 401, no change."""
