"""Parsing of the Range header."""

import pytest

from service.ranges import RangeNotSatisfiable, parse_range


@pytest.mark.parametrize(
    ("header", "wanted"),
    [
        (None, None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=5-1", None),
        ("bytes=0-1,5-9", None),
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_ranges(header: str | None, wanted: tuple[int, int] | None) -> None:
    assert parse_range(header, 1000) == wanted


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-2000", "bytes=-0"])
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)
