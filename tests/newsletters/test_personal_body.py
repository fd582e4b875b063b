"""A part cut at its placeholders and quoted-printable encoded: lines of at most 76, decoding to the exact text."""

import quopri
import re

import pytest

from newsletters.personal_body import encode_part, encode_value

PATTERN = re.compile(r"\[\[slot-([a-z_]+)\]\]")


@pytest.mark.parametrize("shift", range(0, 80, 7))
@pytest.mark.parametrize("value", ["", "ნ", "Nino", "ნინო ბერიძე " * 9, "a" * 75, "x" * 76, "=" * 30 + " "])
def test_any_value_at_any_offset_keeps_lines_short_and_decodes_exactly(shift: int, value: str) -> None:
    text = "ა" * shift + " style=\"font-family:'Noto Sans Georgian'\" [[slot-name]] tail \n" + "b " * shift
    text += "[[slot-name]][[slot-other]]\nend "
    part = encode_part(text, PATTERN)
    assert part.slots == ("name", "name", "other")
    values = {"name": encode_value(value), "other": encode_value(value.upper(), str.lower)}
    body = b"".join(part.fill(values))
    assert body.isascii()
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))
    expected = text.replace("[[slot-name]]", value).replace("[[slot-other]]", value.upper().lower())
    assert quopri.decodestring(body).decode("utf-8") == expected.replace("\n", "\r\n")
