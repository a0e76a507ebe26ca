"""A report's result as a file: CSV (streamed, formulas neutralised), XLSX (XlsxWriter in constant_memory mode,
rows written as they are read) and PDF (fpdf2, landscape Letter). Files above a cap are refused with TooManyRows:
the page then offers the CSV (which has no cap) instead.

    render(fmt, report, result, params) -> bytes        fmt in ("csv", "xlsx", "pdf")
    csv_chunks(report, result, params) -> Iterator[bytes]   the CSV, for a streaming response
"""

import io
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from fpdf import FPDF

from cistern.core import csvsafe

from .base import row_count
from .registry import Report, ReportResult

XLSX_MAX_ROWS = 1_000_000  # Excel's sheet holds 1,048,576 rows; above this the page offers the CSV
PDF_MAX_ROWS = 5_000  # about 140 pages; above this the page offers the CSV and the XLSX
FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class TooManyRows(Exception):
    def __init__(self, fmt: str, rows: int, cap: int):
        self.fmt, self.rows, self.cap = fmt, rows, cap
        super().__init__(f"{rows:,} rows is more than the {fmt.upper()} cap of {cap:,}.")


def cap_for(fmt: str) -> int | None:
    return {"xlsx": XLSX_MAX_ROWS, "pdf": PDF_MAX_ROWS}.get(fmt)


def check_cap(fmt: str, result: ReportResult) -> None:
    cap = cap_for(fmt)
    if cap is not None:
        count = row_count(result)
        if count > cap:
            raise TooManyRows(fmt, count, cap)


def filename(report: Report, params: dict, fmt: str) -> str:
    dates = [v.isoformat() for k, v in sorted(params.items()) if isinstance(v, date) and k != "sort"]
    return "-".join([report.key.replace("_", "-"), *dates]) + f".{fmt}"


def describe(report: Report, params: dict) -> str:
    """The parameters in words, for the file's header: "From: 11/01/2026; To: 11/30/2026; Drawer: Counter 1"."""
    form = report.form() if report.form else None
    said = []
    for key, value in params.items():
        if key == "sort" or value in (None, ""):
            continue
        label = str(form.fields[key].label) if form and key in form.fields else key
        said.append(f"{label}: {_text(value)}")
    return "; ".join(said)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    return str(value)


# --- CSV ----------------------------------------------------------------------------------------------------------


class _Line:
    """A file-like object csv.writer writes one row into; the row is taken back as text."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text


def _csv_value(value, kind: str):
    if value is None:
        return ""
    if kind in ("date", "datetime"):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return value


def csv_chunks(report: Report, result: ReportResult, params: dict) -> Iterator[bytes]:
    """The CSV, a block of rows at a time: a header row of column titles, the rows, then a totals row."""
    line = _Line()
    out = csvsafe.writer(line)
    kinds = [c.kind for c in result.columns]
    out.writerow([c.title for c in result.columns])
    yield ("\ufeff" + line.text).encode()  # the byte-order mark: Excel opens UTF-8 (accents, ñ) as such
    line.text = ""
    for n, row in enumerate(result.rows, 1):
        out.writerow([_csv_value(v, k) for v, k in zip(row, kinds, strict=True)])
        if n % 2000 == 0:
            yield line.text.encode()
            line.text = ""
    if result.totals:
        out.writerow(_totals_row(result))
    yield line.text.encode()


def _totals_row(result: ReportResult) -> list:
    values = [result.totals.get(c.key, "") for c in result.columns]
    if values and values[0] == "":
        values[0] = "Total"
    return values


# --- XLSX ---------------------------------------------------------------------------------------------------------


def render_xlsx(report: Report, result: ReportResult, params: dict) -> bytes:
    check_cap("xlsx", result)
    output = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        book = xlsxwriter.Workbook(output, {
            "constant_memory": True, "tmpdir": tmp, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False,
        })  # fmt: skip
        bold = book.add_format({"bold": True})
        formats = {
            "money": book.add_format({"num_format": "#,##0.00"}),
            "decimal": book.add_format({"num_format": "#,##0.00"}),
            "int": book.add_format({"num_format": "#,##0"}),
            "date": book.add_format({"num_format": "mm/dd/yyyy"}),
            "datetime": book.add_format({"num_format": "mm/dd/yyyy hh:mm"}),
        }
        total_formats = {
            k: book.add_format({"num_format": f.num_format, "bold": True}) for k, f in formats.items()
        }
        sheet = book.add_worksheet(report.title[:31].replace("/", " ").replace(":", " "))
        sheet.write_string(0, 0, report.title, bold)
        sheet.write_string(1, 0, describe(report, params))
        header = 3
        for col, column in enumerate(result.columns):
            sheet.write_string(header, col, column.title, bold)
            sheet.set_column(col, col, 14 if column.kind != "text" else 24)
        kinds = [c.kind for c in result.columns]
        writers = [_cell_writer(sheet, kind, formats) for kind in kinds]
        r = header
        for row in result.rows:
            r += 1
            for col, value in enumerate(row):
                if value is not None and value != "":
                    writers[col](r, col, value)
        if result.totals:
            r += 1
            for col, value in enumerate(_totals_row(result)):
                if value == "Total":
                    sheet.write_string(r, col, value, bold)
                elif value is not None and value != "":
                    _cell_writer(sheet, kinds[col], total_formats)(r, col, value)
        sheet.freeze_panes(header + 1, 0)
        book.close()
    return output.getvalue()


EXCEL_EPOCH = date(1899, 12, 30)


def _serial(value) -> float:
    """A date or naive datetime as Excel's day number (what write_datetime computes, without its checks)."""
    if isinstance(value, datetime):
        days = (value.date() - EXCEL_EPOCH).days
        return days + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return float((value - EXCEL_EPOCH).days)


def _cell_writer(sheet, kind: str, formats: dict):
    """A function writing one cell of a column of `kind`. XlsxWriter is pinned (3.3.1): its typed writers are
    called without the public methods' A1-notation wrapper, which is a third of the time on a large sheet; a value
    that is not of the column's kind is written as text."""
    write_string = getattr(sheet, "_write_string", sheet.write_string)
    write_number = getattr(sheet, "_write_number", sheet.write_number)
    number_format = formats.get(kind)

    def text(r, col, value):
        write_string(r, col, str(value), None)

    def number(r, col, value):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            write_number(r, col, float(value), number_format)
        else:
            text(r, col, value)

    def day(r, col, value):
        if isinstance(value, date):
            write_number(
                r, col, _serial(value), formats["datetime" if isinstance(value, datetime) else "date"]
            )
        else:
            text(r, col, value)

    if kind in ("money", "decimal", "int"):
        return number
    if kind in ("date", "datetime"):
        return day
    return text


# --- PDF ----------------------------------------------------------------------------------------------------------

PAGE_W, MARGIN, ROW_H = 279.4, 10.0, 5.0


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _pdf_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money" or isinstance(value, Decimal):
        return f"{value:,.2f}"
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    return _latin(_text(value))


class _ReportPDF(FPDF):
    """A landscape Letter table: the title, the parameters and the column titles on every page, rows drawn with
    FPDF.text (cell() runs text shaping on every call: most of the time of a long table), widths summed from the
    core font's metrics."""

    def __init__(self, title: str, subtitle: str, columns):
        super().__init__(orientation="L", unit="mm", format="Letter")
        self.set_margins(MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.report_title, self.subtitle, self.columns = _latin(title), _latin(subtitle), columns
        weights = [1.0 if c.kind != "text" else 1.8 for c in columns]
        usable = PAGE_W - 2 * MARGIN
        self.widths = [usable * w / sum(weights) for w in weights]
        self.aligns = [_align(c.kind) for c in columns]
        self.set_title(self.report_title)

    def header(self):
        self.set_font("Helvetica", "B", 12)
        self.cell(0, 7, self.report_title, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, self.subtitle, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font("Helvetica", "B", 7)
        self.line_of([c.title for c in self.columns])
        self.line(MARGIN, self.get_y(), PAGE_W - MARGIN, self.get_y())
        self.set_font("Helvetica", "", 7)

    def footer(self):
        self.set_font("Helvetica", "", 7)
        self.text(PAGE_W - MARGIN - 15, self.h - MARGIN + 2, f"Page {self.page_no()}")

    def width_of(self, text: str) -> float:
        widths = self.current_font.cw
        return sum(widths[c] for c in text) * self.font_size_pt * 0.001 / self.k

    def fit(self, text: str, width: float) -> tuple[str, float]:
        room = width - 2 * PAD
        used = self.width_of(text)
        if used <= room:
            return text, used
        while text and self.width_of(text + "...") > room:
            text = text[:-1]
        return text + "...", self.width_of(text + "...")

    def line_of(self, texts) -> None:
        """One row of the table at the current position, then the position moves down a row (a new page first when
        the row would not fit)."""
        if self.get_y() + ROW_H > self.h - MARGIN - 4:
            self.add_page()
        x, y = MARGIN, self.get_y()
        base = y + 0.5 * ROW_H + 0.3 * self.font_size
        for text, width, align in zip(texts, self.widths, self.aligns, strict=True):
            if text:
                shown, used = self.fit(text, width)
                self.text(x + width - PAD - used if align == "R" else x + PAD, base, shown)
            x += width
        self.set_xy(MARGIN, y + ROW_H)


PAD = 1.0


def _align(kind: str) -> str:
    return "R" if kind in ("money", "int", "decimal") else "L"


def render_pdf(report: Report, result: ReportResult, params: dict) -> bytes:
    check_cap("pdf", result)
    pdf = _ReportPDF(report.title, describe(report, params), result.columns)
    pdf.add_page()
    kinds = [c.kind for c in result.columns]
    for row in result.rows:
        pdf.line_of([_pdf_value(value, kind) for value, kind in zip(row, kinds, strict=True)])
    if result.totals:
        pdf.set_font("Helvetica", "B", 7)
        pdf.line(MARGIN, pdf.get_y(), PAGE_W - MARGIN, pdf.get_y())
        pdf.line_of(
            [
                _pdf_value(v, k if v != "Total" else "text")
                for v, k in zip(_totals_row(result), kinds, strict=True)
            ]
        )
    return bytes(pdf.output())


def render(fmt: str, report: Report, result: ReportResult, params: dict) -> bytes:
    if fmt == "csv":
        return b"".join(csv_chunks(report, result, params))
    if fmt == "xlsx":
        return render_xlsx(report, result, params)
    if fmt == "pdf":
        return render_pdf(report, result, params)
    raise ValueError(f"No such format: {fmt!r} (csv, xlsx or pdf).")
