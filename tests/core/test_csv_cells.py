"""Cells a spreadsheet would run are neutralised, and read back as they were."""

import pytest

from core.csv_cells import recovered_cell, safe_cell, safe_row

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]  # fmt: skip
HARMLESS = ["ნინო ბერიძე", "IOM", "", "a=b", "1-2", "'quoted already", "press;partners"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_are_neutralised_and_recovered(text: str) -> None:
    cell = safe_cell(text)
    assert cell == "'" + text
    assert recovered_cell(cell) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text: str) -> None:
    assert safe_cell(text) == text
    assert recovered_cell(text) == text


def test_rows_and_non_text_values() -> None:
    assert safe_row([None, 7, "=1"]) == ["", "7", "'=1"]
