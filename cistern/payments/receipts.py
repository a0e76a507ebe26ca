"""A payment's receipt: an 80 mm roll for the counter's receipt printer, or a Letter page. The first print of a
payment's receipt is the original; every later print, in either size, says COPY (payments.md, "The counter").

`receipt_print` records each print (ReceiptPrint, audited) and draws it; `render_receipt` lays out plain values
with fpdf2's core fonts, as the bill does (billing/document.py), so there are no font files to load.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF

from cistern.core.audit import audit_record
from cistern.core.money import format_money
from cistern.core.permissions import require
from cistern.core.selectors import district_settings

from .models import Payment, PaymentStatus, ReceiptPrint, TenderKind
from .services import PaymentError

SIZES = ("80mm", "letter")


@dataclass(frozen=True)
class ReceiptPart:
    account_number: str
    service_address: str
    amount: Decimal
    balance_after: Decimal


@dataclass(frozen=True)
class ReceiptTender:
    label: str  # "Check 1001", "Card ending 4242 (ref. AB12)"
    amount: Decimal


@dataclass(frozen=True)
class ReceiptDocument:
    district_name: str
    district_address: str
    district_phone: str
    receipt_number: str
    received_at: datetime  # in the district's zone
    cashier: str
    drawer: str
    channel: str
    customer_name: str
    parts: Sequence[ReceiptPart]
    tenders: Sequence[ReceiptTender]
    total: Decimal
    cash_received: Decimal | None
    change_given: Decimal
    status: str  # "" when posted; else VOIDED, REVERSED, RETURNED
    copy: bool
    printed_at: datetime
    printed_by: str


# --- the record of a print ---------------------------------------------------------------------------------


def receipt_print(*, actor, payment: Payment, size: str) -> tuple[bytes, ReceiptPrint]:
    """Print a payment's receipt: the PDF, and the print recorded (the first the original, later ones COPY)."""
    require(actor, "payments.view_payment")
    if size not in SIZES:
        raise PaymentError(f"A receipt prints as {' or '.join(SIZES)}, not {size[:20]!r}.", "size")
    with transaction.atomic():
        # The payment's row serialises two prints at the same moment, so only one of them is the original.
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        copy = ReceiptPrint.objects.filter(payment=locked).exists()
        printed = ReceiptPrint.objects.create(payment=locked, size=size, copy=copy, printed_by=actor)
        payment = (
            Payment.objects.select_related("session", "posted_by", "customer")
            .prefetch_related("tenders", "parts__account__premise")
            .get(pk=payment.pk)
        )
        parts = list(payment.parts.all())
        audit_record(
            actor=actor, action="receipt.print", obj=payment, account_id=parts[0].account_id if parts else None,
            after={"size": size, "copy": copy},
        )  # fmt: skip
        pdf = render_receipt(receipt_document(payment, printed), size)
    return pdf, printed


def _zone() -> ZoneInfo:
    try:
        return ZoneInfo(district_settings().time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _name(user) -> str:
    return user.get_full_name() or user.username


def tender_label(tender) -> str:
    """How a tender reads on the receipt and the pages: the check number, the card's last four only."""
    label = TenderKind(tender.kind).label if tender.kind != TenderKind.CARD else "Card"
    if tender.kind in (TenderKind.CHECK, TenderKind.MONEY_ORDER) and tender.check_number:
        return f"{label} {tender.check_number}"
    if tender.kind == TenderKind.CARD:
        brand = f"{tender.card_brand} " if tender.card_brand else ""
        ref = f" (ref. {tender.reference})" if tender.reference else ""
        return f"{brand}Card ending {tender.card_last_four}{ref}"
    return label


def receipt_document(payment: Payment, printed: ReceiptPrint) -> ReceiptDocument:
    district = district_settings()
    zone = _zone()
    city = ", ".join(p for p in (district.city, f"{district.state} {district.zip_code}".strip()) if p)
    address = ", ".join(p for p in (district.street, city) if p)
    ended = "" if payment.status == PaymentStatus.POSTED else payment.get_status_display().upper()
    return ReceiptDocument(
        district_name=district.name, district_address=address, district_phone=district.phone,
        receipt_number=payment.receipt_number, received_at=timezone.localtime(payment.posted_at, zone),
        cashier=_name(payment.posted_by), drawer=payment.session.drawer if payment.session else "",
        channel=payment.get_channel_display(), customer_name=payment.customer.name,
        parts=[
            ReceiptPart(p.account.number, p.account.premise.service_address, p.amount, p.balance_after)
            for p in payment.parts.all()
        ],
        tenders=[ReceiptTender(tender_label(t), t.amount) for t in payment.tenders.all()],
        total=payment.amount, cash_received=payment.cash_tendered, change_given=payment.change_given,
        status=ended, copy=printed.copy, printed_at=timezone.localtime(printed.printed_at, zone),
        printed_by=_name(printed.printed_by),
    )  # fmt: skip


# --- drawing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Size:
    width: float  # mm
    margin: float
    base: float  # points


_LAYOUT = {"80mm": _Size(80, 4, 8.5), "letter": _Size(215.9, 25.4, 11)}
LETTER_HEIGHT = 279.4
PT = 0.3528  # mm per point


def _text(value) -> str:
    # The core PDF fonts speak Latin-1; anything else prints as "?" rather than failing the print.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _rows(doc: ReceiptDocument) -> list[tuple]:
    """The receipt top to bottom: ("center"|"text", text, style, scale), ("pair", left, right, style, scale),
    ("rule",) and ("gap", lines)."""
    rows: list[tuple] = []
    if doc.copy:
        rows += [
            ("center", "*** COPY ***", "B", 2.0),
            ("center", "Reprint: not the original receipt", "", 1.0),
        ]
        rows.append(("gap", 0.5))
    rows += [("center", doc.district_name, "B", 1.25)]
    rows += [("center", line, "", 1.0) for line in (doc.district_address, doc.district_phone) if line]
    rows += [("gap", 0.5), ("center", "PAYMENT RECEIPT", "B", 1.25), ("center", doc.receipt_number, "B", 1.5)]
    if doc.status:
        rows.append(("center", f"*** {doc.status} ***", "B", 1.5))
    rows += [
        ("rule",),
        (
            "pair",
            "Date",
            f"{doc.received_at:%m/%d/%Y %I:%M %p} {doc.received_at.tzname() or ''}".strip(),
            "",
            1.0,
        ),
        ("pair", "Cashier", doc.cashier, "", 1.0),
    ]
    if doc.drawer:
        rows.append(("pair", "Drawer", doc.drawer, "", 1.0))
    rows += [
        ("pair", "Received", doc.channel, "", 1.0),
        ("pair", "Customer", doc.customer_name, "", 1.0),
        ("rule",),
    ]
    for part in doc.parts:
        rows += [
            ("pair", f"Account {part.account_number}", format_money(part.amount), "B", 1.0),
            ("text", part.service_address, "", 0.95),
            ("pair", "  Balance after payment", format_money(part.balance_after), "", 1.0),
        ]
    rows += [("rule",)]
    for tender in doc.tenders:
        rows.append(("pair", tender.label, format_money(tender.amount), "", 1.0))
    rows.append(("pair", "Total paid", format_money(doc.total), "B", 1.15))
    if doc.cash_received is not None:
        rows.append(("pair", "Cash received", format_money(doc.cash_received), "", 1.0))
    if doc.cash_received is not None or doc.change_given:
        rows.append(("pair", "Change given", format_money(doc.change_given), "B", 1.0))
    rows += [("rule",), ("center", "Thank you.", "", 1.0)]
    if doc.copy:
        printed = f"COPY printed {doc.printed_at:%m/%d/%Y %I:%M %p} by {doc.printed_by}"
        rows += [("gap", 0.5), ("center", printed, "B", 1.0)]
    return rows


class _Drawer:
    def __init__(self, pdf: FPDF, size: _Size):
        self.pdf, self.size = pdf, size
        self.inner = size.width - 2 * size.margin

    def font(self, style: str, scale: float) -> float:
        points = self.size.base * scale
        self.pdf.set_font("Helvetica", style, points)
        return points * PT * 1.35  # the line's height in mm

    def wrap(self, text: str, width: float) -> list[str]:
        lines, line = [], ""
        for word in _text(text).split():
            candidate = f"{line} {word}".strip()
            if line and self.pdf.get_string_width(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
            while self.pdf.get_string_width(line) > width and len(line) > 1:  # one word wider than the line
                cut = len(line)
                while cut > 1 and self.pdf.get_string_width(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        return lines + ([line] if line else [])

    def layout(self, rows) -> list[tuple[float, tuple]]:
        """Each row's lines as (height, what to draw)."""
        placed = []
        for row in rows:
            kind = row[0]
            if kind == "rule":
                placed.append((2.0, ("rule",)))
            elif kind == "gap":
                placed.append((self.font("", 1.0) * row[1], ("gap",)))
            elif kind in ("center", "text"):
                _, text, style, scale = row
                height = self.font(style, scale)
                for line in self.wrap(text, self.inner):
                    placed.append((height, (kind, line, style, scale)))
            else:
                _, left, right, style, scale = row
                height = self.font(style, scale)
                right = _text(right)
                room = self.inner - self.pdf.get_string_width(right) - 2
                lines = self.wrap(left, max(room, self.inner / 3)) or [""]
                placed.append((height, ("pair", lines[0], right, style, scale)))
                placed += [(height, ("text", line, style, scale)) for line in lines[1:]]
        return placed

    def draw(self, y: float, height: float, what: tuple) -> None:
        pdf, margin = self.pdf, self.size.margin
        kind = what[0]
        if kind == "rule":
            pdf.line(margin, y + 1.0, margin + self.inner, y + 1.0)
            return
        if kind == "gap":
            return
        style, scale = what[-2], what[-1]
        self.font(style, scale)
        baseline = y + height * 0.75
        if kind == "center":
            pdf.text(margin + (self.inner - pdf.get_string_width(what[1])) / 2, baseline, what[1])
        elif kind == "text":
            pdf.text(margin, baseline, what[1])
        else:
            pdf.text(margin, baseline, what[1])
            pdf.text(margin + self.inner - pdf.get_string_width(what[2]), baseline, what[2])


def render_receipt(doc: ReceiptDocument, size: str = "80mm", *, compress: bool = True) -> bytes:
    """The receipt as a PDF: an 80 mm wide page as tall as the receipt, or Letter pages."""
    layout = _LAYOUT[size]
    pdf = FPDF(unit="mm", format=(layout.width, LETTER_HEIGHT))
    pdf.set_compression(compress)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(layout.margin, layout.margin, layout.margin)
    pdf.set_line_width(0.2)
    pdf.set_title(_text(f"Receipt {doc.receipt_number}{' (copy)' if doc.copy else ''}"))
    drawer = _Drawer(pdf, layout)
    placed = drawer.layout(_rows(doc))
    if size == "80mm":
        # A roll is cut where the receipt ends: one page exactly as tall as what is on it.
        pdf.add_page(format=(layout.width, sum(h for h, _ in placed) + 2 * layout.margin))
        bottom = float("inf")
    else:
        pdf.add_page(format="Letter")
        bottom = LETTER_HEIGHT - layout.margin
    y = layout.margin
    for height, what in placed:
        if y + height > bottom:
            pdf.add_page(format="Letter")
            y = layout.margin
        drawer.draw(y, height, what)
        y += height
    pdf.set_creation_date(doc.printed_at)
    return bytes(pdf.output())
