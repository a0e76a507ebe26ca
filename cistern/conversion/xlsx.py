"""A conversion run's report as a workbook (the go-live file): sheets Files, Totals, Differences, Errors, Warnings.

Pure: a run's plain values in, the XLSX's bytes out. Text cells go through cistern.core.csvsafe (a warning that
quotes an old system's `=HYPERLINK(...)` reads as text in Excel, it runs nothing), and XlsxWriter is told never to
turn strings into formulas, numbers or links. Figures the report holds as decimal strings are written as numbers.
"""

import io
import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation

import xlsxwriter

from cistern.core import csvsafe

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def workbook(
    *,
    title: str,
    as_of: date,
    report: dict,
    errors: list[str],
    error_count: int,
    warnings: list[str],
) -> bytes:
    output = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        book = xlsxwriter.Workbook(output, {
            "tmpdir": tmp, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })  # fmt: skip
        bold = book.add_format({"bold": True})
        amount = book.add_format({"num_format": "#,##0.00"})

        def text(sheet, r, c, value, fmt=None):
            if value is not None and value != "":
                sheet.write_string(r, c, str(csvsafe.cell(str(value))), fmt)

        def figure(sheet, r, c, value):
            number = _number(value)
            if number is None:
                text(sheet, r, c, value)
            else:
                sheet.write_number(r, c, float(number), amount if number != number.to_integral() else None)

        def sheet_with(name, header, widths):
            sheet = book.add_worksheet(name)
            text(sheet, 0, 0, title, bold)
            text(sheet, 1, 0, f"As of {as_of:%m/%d/%Y}")
            for c, (heading, width) in enumerate(zip(header, widths, strict=True)):
                text(sheet, 3, c, heading, bold)
                sheet.set_column(c, c, width)
            sheet.freeze_panes(4, 0)
            return sheet

        files = sheet_with(
            "Files", ["File", "Read", "Loaded", "Refused", "Ignored columns"], [22, 12, 12, 12, 40]
        )
        for r, row in enumerate(report.get("files", []), start=4):
            text(files, r, 0, row.get("file"))
            for c, key in enumerate(("read", "loaded", "refused"), start=1):
                figure(files, r, c, row.get(key))
            text(files, r, 4, ", ".join(row.get("ignored_columns") or []))

        totals = sheet_with(
            "Totals",
            ["Figure", "Legacy trial balance", "In the files", "Loaded", "Difference"],
            [36, 18, 18, 18, 18],
        )
        for r, row in enumerate(report.get("totals", []), start=4):
            text(totals, r, 0, row.get("label") or row.get("figure"))
            for c, key in enumerate(("legacy", "in_files", "loaded", "difference"), start=1):
                figure(totals, r, c, row.get(key))

        differences = sheet_with("Differences", ["Difference"], [100])
        for r, line in enumerate(report.get("differences", []), start=4):
            text(differences, r, 0, line)

        listed = sheet_with("Errors", ["Error (file:line:field: message)"], [120])
        for r, line in enumerate(errors, start=4):
            text(listed, r, 0, line)
        if error_count > len(errors):
            text(listed, 4 + len(errors), 0, f"… and {error_count - len(errors):,} more", bold)

        warned = sheet_with("Warnings", ["Warning"], [120])
        for r, line in enumerate(warnings, start=4):
            text(warned, r, 0, line)
        book.close()
    return output.getvalue()
