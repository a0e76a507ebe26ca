"""The daily GL summary as files for the district's accounting software. Pure: rows in, bytes out.

Text cells cannot run as formulas in a spreadsheet (a GL account named "=HYPERLINK(...)"): the CSV goes through
core.csvsafe, and the XLSX stores such text as text, never as a formula. Amounts stay numbers (-12.50).
"""

import io
from datetime import date

from cistern.core import csvsafe

HEADER = ["date", "gl_account", "name", "debits", "credits", "net"]


def _rows(on: date, summary: list[dict]) -> list[list]:
    return [[on.isoformat(), r["code"], r["name"], r["debits"], r["credits"], r["net"]] for r in summary]


def gl_csv(on: date, summary: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csvsafe.writer(out)
    writer.writerow(HEADER)
    for row in _rows(on, summary):
        writer.writerow([*row[:3], *(f"{amount:.2f}" for amount in row[3:])])
    return out.getvalue().encode()


def gl_xlsx(on: date, summary: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"GL {on:%Y-%m-%d}"
    sheet.append(HEADER)
    for row in _rows(on, summary):
        sheet.append(row)  # Decimals stay exact numbers in the cells
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula (openpyxl takes "=..." for one)
    for cells in sheet.iter_rows(min_row=2, min_col=4, max_col=6):
        for cell in cells:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
