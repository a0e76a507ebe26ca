"""Every report renders a file that reads back: CSV with csv, XLSX with openpyxl, PDF (starts with %PDF, carries the
title); text that looks like a formula stays text in both spreadsheets; the XLSX and PDF caps refuse with a page
that offers the CSV."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest

from cistern.reports import registry, renderers
from cistern.reports.registry import Column, Report, ReportResult

from .conftest import PAY_DAY

HOSTILE = '=HYPERLINK("http://x.example","pay")'


@pytest.mark.parametrize("key", [r.key for r in registry.all_reports()])
def test_every_report_renders_csv_xlsx_and_pdf_that_read_back(key, books):
    report = registry.get(key)
    params = report.example_params(PAY_DAY)
    rows = list(report.run(params).rows)
    titles = [c.title for c in report.columns]

    text = renderers.render("csv", report, report.run(params), params).decode("utf-8")
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text[1:])))
    assert parsed[0] == titles
    assert len(parsed) - 1 - (1 if parsed[-1][0] == "Total" else 0) == len(rows)

    book = openpyxl.load_workbook(io.BytesIO(renderers.render("xlsx", report, report.run(params), params)))
    sheet = book.active
    assert sheet["A1"].value == report.title
    assert [c.value for c in sheet[4]] == titles
    data = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(data) - (1 if data and data[-1][0] == "Total" else 0) == len(rows)

    pdf = renderers.render("pdf", report, report.run(params), params)
    title = report.title.replace("(", "\\(").replace(")", "\\)")  # as a PDF string writes them
    assert pdf.startswith(b"%PDF") and f"/Title ({title})".encode("latin-1") in pdf


def test_the_money_in_each_file_is_the_reports(books):
    report = registry.get("daily_cash")
    params = {"date_from": PAY_DAY, "date_to": PAY_DAY}
    parsed = list(
        csv.reader(
            io.StringIO(renderers.render("csv", report, report.run(params), params).decode("utf-8-sig"))
        )
    )
    assert parsed[1] == ["2026-08-10", "At the counter", "Counter 1", "report_cashier", "Card (processor reference)",
                         "1", "20.00"]  # fmt: skip
    assert parsed[-1] == ["Total", "", "", "", "", "4", "112.25"]
    sheet = openpyxl.load_workbook(
        io.BytesIO(renderers.render("xlsx", report, report.run(params), params))
    ).active
    assert sheet["A5"].value.date() == PAY_DAY and sheet["A5"].number_format == "mm/dd/yyyy"
    assert sheet["G5"].value == 20.0 and sheet["G5"].number_format == "#,##0.00"
    assert [sheet.cell(row=9, column=n).value for n in (1, 6, 7)] == ["Total", 4, 112.25]
    assert "From: 08/10/2026; To: 08/10/2026" in sheet["A2"].value


def _hostile_report():
    columns = [Column("name", "Customer"), Column("amount", "Amount", "money", total=True)]
    report = Report(key="hostile", title="Hostile names", permission="reports.view_reports",
                    run=lambda params: None, example_params=lambda today: {}, columns=tuple(columns))  # fmt: skip
    rows = [(HOSTILE, D("-12.50")), ("+1+2", D("3.00")), ("@SUM(A1)", D("0.00"))]
    return report, lambda: ReportResult(columns=columns, rows=list(rows), totals={"amount": D("-9.50")})


def test_formulas_are_text_in_the_csv_and_the_xlsx():
    report, result = _hostile_report()
    parsed = list(csv.reader(io.StringIO(renderers.render("csv", report, result(), {}).decode("utf-8-sig"))))
    assert parsed[1:4] == [["'" + HOSTILE, "-12.50"], ["'+1+2", "3.00"], ["'@SUM(A1)", "0.00"]]
    sheet = openpyxl.load_workbook(io.BytesIO(renderers.render("xlsx", report, result(), {}))).active
    assert (sheet["A5"].value, sheet["A5"].data_type) == (HOSTILE, "s")
    assert (sheet["A6"].value, sheet["A6"].data_type) == ("+1+2", "s")
    assert (sheet["B5"].value, sheet["B5"].data_type) == (-12.5, "n")
    assert renderers.render("pdf", report, result(), {}).startswith(b"%PDF")


def test_the_xlsx_cap_refuses_and_the_csv_has_no_cap(monkeypatch):
    report, result = _hostile_report()
    monkeypatch.setattr(renderers, "XLSX_MAX_ROWS", 2)
    with pytest.raises(renderers.TooManyRows) as refused:
        renderers.render("xlsx", report, result(), {})
    assert (refused.value.fmt, refused.value.rows, refused.value.cap) == ("xlsx", 3, 2)
    assert (
        len(list(csv.reader(io.StringIO(renderers.render("csv", report, result(), {}).decode("utf-8-sig")))))
        == 5
    )
    monkeypatch.setattr(renderers, "PDF_MAX_ROWS", 1)
    with pytest.raises(renderers.TooManyRows):
        renderers.render("pdf", report, result(), {})


def test_the_file_names_carry_the_dates():
    report = registry.get("daily_cash")
    name = renderers.filename(
        report, {"date_from": date(2026, 8, 1), "date_to": date(2026, 8, 31), "sort": ""}, "csv"
    )
    assert name == "daily-cash-2026-08-01-2026-08-31.csv"
