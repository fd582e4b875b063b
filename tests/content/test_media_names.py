"""Client file names become safe metadata."""

import pytest

from content.media.names import sanitise_filename


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("კომისიის სხდომა.jpg", "კომისიის სხდომა.jpg"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a\x00b\x1f\x7fc.pdf", "abc.pdf"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("report....pdf", "report.pdf"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        ("  spaced\tname .png ", "spaced name .png"),
        ('a<b>:"c|d?*.png', "abcd.png"),
        ("ა" * 300 + ".pdf", "ა" * 196 + ".pdf"),
    ],
)
def test_sanitise_filename(given: str | None, kept: str) -> None:
    assert sanitise_filename(given) == kept
