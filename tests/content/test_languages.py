"""Which language a public read answers in, and how a language tag is read."""

import pytest

from content.languages import negotiate_language, primary_subtag


@pytest.mark.parametrize(
    ("explicit", "header", "expected"),
    [
        (None, None, "ka"),
        (None, "", "ka"),
        ("en", "ka", "en"),
        ("fr", None, "ka"),
        ("fr", "en", "en"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "en-US", "en"),
        (None, "ka-GE, en;q=0.5", "ka"),
        (None, "en_US", "en"),
        (None, "EN", "en"),
        (None, "En-gb;Q=0.7, de", "en"),
        (None, "fr-FR, en;q=0.5, ka;q=0.8", "ka"),
        (None, "de, fr", "ka"),
        (None, "en;q=0", "ka"),
        (None, "ka;q=0, en;q=0", "ka"),  # nothing acceptable: the default all the same
        (None, "en;q=abc, ka", "ka"),
        (None, "en ; q=0.3, fr", "en"),
        # Kabyle is not Georgian: the primary subtag is `kab`, not its first two letters.
        (None, "kab, en;q=0.5", "en"),
        (None, "kab", "ka"),
        (None, "kab-DZ, ka;q=0.1, en;q=0.2", "en"),
        (None, "enm, ka;q=0.5", "ka"),  # Middle English is not English either
        # `*` stands for any language the header does not name.
        (None, "*", "ka"),
        (None, "en;q=0.5, *", "ka"),
        (None, "ka;q=0.1, *", "en"),
        (None, "ka;q=0, *", "en"),
        (None, "*;q=0, en;q=0.1", "en"),
        (None, "ka;q=0, en;q=0, *", "ka"),
    ],
)
def test_negotiate(explicit: str | None, header: str | None, expected: str) -> None:
    assert negotiate_language(explicit, header) == expected


@pytest.mark.parametrize(
    ("tag", "primary"),
    [
        ("ka", "ka"),
        ("ka-GE", "ka"),
        ("EN", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("kab", "kab"),
        ("*", "*"),
    ],
)
def test_primary_subtag(tag: str, primary: str) -> None:
    assert primary_subtag(tag) == primary
