"""The deposit slip: the district's own listing of a bank deposit (cash by denomination, each check and money
order, totals), printed to go in the bag with the bank's slip. Pure: plain values in, PDF bytes out.

fpdf2 with the core fonts, as the bill (billing/document.py): Letter pages, tables that run on to further
pages with their header repeated.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from fpdf import FPDF

from cistern.core.money import format_money

MARGIN = 15.0
PAGE_W = 215.9
PAGE_H = 279.4
CONTENT_W = PAGE_W - 2 * MARGIN
ROW = 5.2
GREY = (225, 225, 225)


@dataclass(frozen=True)
class SlipCheck:
    kind: str  # "Check" | "Money order"
    number: str
    account: str
    receipt: str
    amount: Decimal


@dataclass(frozen=True)
class DepositSlip:
    district_name: str
    deposit_number: int
    deposit_date: date
    bank_reference: str
    prepared_by: str
    drawers: tuple[str, ...]  # "Counter 1, 11/05/2026 (J. Cashier)"
    cash_lines: tuple[tuple[str, int, Decimal], ...]  # (denomination, pieces, amount)
    not_itemised: tuple[tuple[str, Decimal], ...]  # (drawer, cash stated as a total only)
    checks: tuple[SlipCheck, ...]
    cash_total: Decimal
    check_total: Decimal
    total: Decimal


def _latin(value) -> str:
    return str(value).encode("latin-1", "replace").decode("latin-1")


class _Slip:
    def __init__(self, pdf: FPDF, slip: DepositSlip):
        self.pdf, self.slip = pdf, slip

    def row(self, cells, widths, aligns, style="", fill=False):
        pdf = self.pdf
        if pdf.get_y() + ROW > PAGE_H - MARGIN:
            pdf.add_page()
            self.header(continued=True)
        pdf.set_font("Helvetica", style, 9.5)
        if fill:
            pdf.set_fill_color(*GREY)
        for text, width, align in zip(cells, widths, aligns, strict=True):
            pdf.cell(width, ROW, _latin(text), border="B", align=align, fill=fill)
        pdf.ln(ROW)

    def header(self, continued: bool = False):
        pdf, slip = self.pdf, self.slip
        pdf.set_font("Helvetica", "B", 13)
        title = f"{slip.district_name} - Deposit {slip.deposit_number}"
        pdf.cell(
            CONTENT_W, 7, _latin(title + (" (continued)" if continued else "")), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(1)

    def draw(self):
        pdf, slip = self.pdf, self.slip
        pdf.add_page()
        self.header()
        pdf.set_font("Helvetica", "", 9.5)
        facts = [
            ("Deposit date", slip.deposit_date.strftime("%m/%d/%Y")),
            ("Bank reference", slip.bank_reference or "-"),
            ("Prepared by", slip.prepared_by),
            ("Drawers", "; ".join(slip.drawers)),
        ]
        for label, value in facts:
            pdf.set_font("Helvetica", "B", 9.5)
            pdf.cell(35, ROW, _latin(label))
            pdf.set_font("Helvetica", "", 9.5)
            pdf.multi_cell(CONTENT_W - 35, ROW, _latin(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(CONTENT_W, 6, "Cash", new_x="LMARGIN", new_y="NEXT")
        widths, aligns = (95, 35, 56), ("L", "R", "R")
        self.row(("Denomination", "Pieces", "Amount"), widths, aligns, "B", fill=True)
        for label, pieces, amount in slip.cash_lines:
            self.row((label, str(pieces), format_money(amount)), widths, aligns)
        for drawer, amount in slip.not_itemised:
            self.row((f"Cash of {drawer} (total only)", "", format_money(amount)), widths, aligns)
        if not slip.cash_lines and not slip.not_itemised:
            self.row(("No cash", "", format_money(Decimal("0.00"))), widths, aligns)
        self.row(("Total cash", "", format_money(slip.cash_total)), widths, aligns, "B")
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(CONTENT_W, 6, "Checks and money orders", new_x="LMARGIN", new_y="NEXT")
        widths, aligns = (10, 30, 40, 40, 30, 36), ("R", "L", "L", "L", "L", "R")
        self.row(("#", "Kind", "Number", "Account", "Receipt", "Amount"), widths, aligns, "B", fill=True)
        for index, check in enumerate(slip.checks, start=1):
            self.row(
                (str(index), check.kind, check.number or "-", check.account or "-", check.receipt or "-",
                 format_money(check.amount)), widths, aligns,
            )  # fmt: skip
        if not slip.checks:
            self.row(("", "No checks", "", "", "", format_money(Decimal("0.00"))), widths, aligns)
        self.row(("", f"{len(slip.checks)} items", "", "", "Total checks", format_money(slip.check_total)),
                 widths, aligns, "B")  # fmt: skip
        pdf.ln(4)
        widths, aligns = (130, 56), ("L", "R")
        self.row(("Cash", format_money(slip.cash_total)), widths, aligns)
        self.row(("Checks and money orders", format_money(slip.check_total)), widths, aligns)
        self.row(("TOTAL DEPOSIT", format_money(slip.total)), widths, aligns, "B", fill=True)


def render_pdf(slip: DepositSlip, *, compress: bool = True) -> bytes:
    """The slip as a PDF. `compress=False` leaves the page text readable in the bytes (for tests)."""
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_compression(compress)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=False)  # rows start a new page themselves, with the header again
    pdf.set_title(_latin(f"Deposit {slip.deposit_number}"))
    pdf.set_lang("en")
    _Slip(pdf, slip).draw()
    day = slip.deposit_date
    pdf.set_creation_date(datetime(day.year, day.month, day.day, tzinfo=UTC))
    return bytes(pdf.output())
