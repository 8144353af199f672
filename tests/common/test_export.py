"""Exports escape every cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from services.common.export import csv_text, safe_cell


@pytest.mark.parametrize("value", [
    "=HYPERLINK(\"http://x\",\"click\")", "+44 161 770 0000", "-2+3", "@SUM(A1)",
    "\t=1", "\r=1", "＝1+1", "＠cmd",
])
def test_formula_prefixes_are_escaped(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Amy", "O'Brien", "Siân", "12 Mill Lane", 5, None, ""])
def test_other_values_are_left_alone(value):
    assert safe_cell(value) == value


def test_csv_rows_are_escaped_and_read_back():
    text = csv_text([{"given_name": "=cmd|' /C calc'!A0", "date_of_birth": date(2012, 3, 4),
                      "codes": ["GP1", "SCH2"]}])
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row == {"codes": "GP1 SCH2", "date_of_birth": "2012-03-04",
                   "given_name": "'=cmd|' /C calc'!A0"}
