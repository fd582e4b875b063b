"""Which language a public read answers in."""

import pytest

from content.languages import negotiate_language


@pytest.mark.parametrize(
    ("explicit", "header", "expected"),
    [
        (None, None, "ka"),
        ("en", "ka", "en"),
        ("fr", None, "ka"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "fr-FR, en;q=0.5, ka;q=0.8", "ka"),
        (None, "de, fr", "ka"),
        (None, "en;q=0", "ka"),
        (None, "en;q=abc, ka", "ka"),
    ],
)
def test_negotiate(explicit: str | None, header: str | None, expected: str) -> None:
    assert negotiate_language(explicit, header) == expected
