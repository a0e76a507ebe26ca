"""A parallel run's workbook: a summary sheet (the period, the counts per reason in words) and every difference,
largest first, with Cistern's lines. Text cells go through csvsafe, so nothing in a name or a note runs as a
formula; money stays numbers."""

import io
import tempfile
from decimal import Decimal

import xlsxwriter

from cistern.core import csvsafe

from .models import ParallelRun
from .parallel import REASONS

DIFFERENCE_COLUMNS = (
    "Account", "Legacy number", "Reason", "Cistern total", "Previous total", "Difference", "Cistern units",
    "Previous units", "Cistern days", "Previous days", "Note", "Cistern's lines", "bills.csv line",
)  # fmt: skip


def _number(value):
    return None if value is None else Decimal(value)


def parallel_workbook(run: ParallelRun) -> bytes:
    result = run.result
    output = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        book = xlsxwriter.Workbook(output, {
            "constant_memory": True, "tmpdir": tmp, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False,
        })  # fmt: skip
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})

        def text(sheet, r, c, value, fmt=None):
            sheet.write_string(r, c, str(csvsafe.cell(value if value is not None else "")), fmt)

        summary = book.add_worksheet("Summary")
        summary.set_column(0, 0, 44)
        summary.set_column(1, 1, 16)
        text(summary, 0, 0, f"Parallel bills, period ending {run.period_end:%m/%d/%Y}", bold)
        rows = [
            ("Cycles", ", ".join(result.get("cycles", [])) or "none"), ("File", run.folder),
            ("Compared", run.compared), ("Matched to the cent", run.matched),
            ("Match rate (%)", _number(result.get("match_rate"))),
        ]  # fmt: skip
        r = 2
        for label, value in rows:
            text(summary, r, 0, label)
            if isinstance(value, int | Decimal):
                summary.write_number(r, 1, value)
            elif value is not None:
                text(summary, r, 1, value)
            r += 1
        r += 1
        text(summary, r, 0, "Reason", bold)
        text(summary, r, 1, "Bills", bold)
        for reason, words in REASONS.items():
            r += 1
            text(summary, r, 0, words)
            summary.write_number(r, 1, result.get("counts", {}).get(reason, 0))

        sheet = book.add_worksheet("Differences")
        for c, title in enumerate(DIFFERENCE_COLUMNS):
            text(sheet, 0, c, title, bold)
            sheet.set_column(c, c, 44 if title in ("Note", "Cistern's lines") else 14)
        for r, d in enumerate(result.get("differences", []), start=1):
            text(sheet, r, 0, d["account"])
            text(sheet, r, 1, d["legacy_number"])
            text(sheet, r, 2, REASONS.get(d["reason"], d["reason"]))
            for c, key in ((3, "cistern_total"), (4, "legacy_total"), (5, "difference")):
                if d[key] is not None:
                    sheet.write_number(r, c, Decimal(d[key]), money)
            for c, key in (
                (6, "cistern_units"),
                (7, "legacy_units"),
                (8, "cistern_days"),
                (9, "legacy_days"),
            ):
                if d[key] is not None:
                    sheet.write_number(r, c, Decimal(str(d[key])))
            text(sheet, r, 10, d["note"])
            text(sheet, r, 11, "; ".join(f"{desc}: {amount}" for desc, amount in d["lines"]))
            if d.get("legacy_line"):
                sheet.write_number(r, 12, d["legacy_line"])
        sheet.freeze_panes(1, 0)
        book.close()
    return output.getvalue()
