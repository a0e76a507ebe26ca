"""The printed bill: a Letter page, the remittance stub at its foot, more pages if it runs long. Pure: no ORM.

The billing app turns a posted bill into a `BillDocument` of plain values; this module only lays it out with
fpdf2's core fonts (Helvetica, Courier), so there are no font files to load and a print run of thousands of
bills stays fast. Wording is English or Spanish from the tables below, not Django's translation catalogue,
so the module runs anywhere (print vendor batches, benchmarks) without settings.

Sign conventions: `payments_and_adjustments` is signed as on the ledger (a payment is negative);
`deposit_applied` and `refund` are positive amounts, shown as a credit and a debit in the summary.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

from fpdf import FPDF

from cistern.billing.line_text import charge_text
from cistern.billing.scanline import scanline
from cistern.core.money import format_money

T = TypeVar("T")

KINDS = ("regular", "final", "rebill")
LANGUAGES = ("en", "es")


class DocumentError(ValueError):
    """A bill document that cannot be printed as given."""


@dataclass(frozen=True)
class DocumentLine:
    description: str  # "Tier 2: units 6-10", as stored (English); printed in the bill's language
    explanation: str  # "units 6-10: 5 x $9.65"
    amount: Decimal
    meter: str = ""  # the serial of the meter it bills; "" for a line of no meter


@dataclass(frozen=True)
class DocumentMeter:
    serial: str
    size: str
    from_date: date
    from_value: Decimal
    to_date: date
    to_value: Decimal
    units: Decimal
    estimated: bool  # the closing read was estimated


PAY_CHANNELS = ("office", "mail", "drop_box", "online", "phone", "autopay")


def how_to_pay(channels, t: dict) -> str:
    """The bill's "how to pay" sentence: only the channels given (those the district turned on)."""
    ways = []
    for channel, detail in channels:
        if channel not in PAY_CHANNELS:
            raise DocumentError(f"Unknown payment channel {channel!r}; one of {', '.join(PAY_CHANNELS)}.")
        ways.append(t[f"pay_{channel}"].format(detail=detail).rstrip(", "))
    if not ways:
        return ""
    listed = ways[0] if len(ways) == 1 else f"{'; '.join(ways[:-1])}; {t['or']} {ways[-1]}"
    return t["pay"].format(ways=listed)


@dataclass(frozen=True)
class BillDocument:
    district_name: str
    district_address: str  # lines separated by "\n"
    district_phone: str
    district_email: str
    bill_number: int
    kind: str  # "regular" | "final" | "rebill"
    account_number: str
    customer_name: str
    mailing_lines: tuple[str, ...]
    service_address: str
    period_start: date
    period_end: date
    bill_date: date
    due_date: date
    meters: tuple[DocumentMeter, ...]
    lines: tuple[DocumentLine, ...]
    previous_amount_due: Decimal
    payments_and_adjustments: Decimal
    current_charges: Decimal
    deposit_applied: Decimal
    refund: Decimal
    amount_due: Decimal
    usage: tuple[tuple[date, Decimal], ...]  # up to 13 (period end, units) oldest first, this bill last
    language: str = "en"  # "en" or "es"
    messages: tuple[str, ...] = ()  # extra district messages, already in the customer's language
    # How this district takes payments: (channel, detail) for each one it has turned on (PAY_CHANNELS), in
    # the order printed; a channel it has not turned on is never offered.
    pay_channels: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise DocumentError(f"Bill kind must be one of {', '.join(KINDS)}; got {self.kind!r}.")
        if self.language not in LANGUAGES:
            raise DocumentError(
                f"Bill language must be one of {', '.join(LANGUAGES)}; got {self.language!r}."
            )


TEXT = {
    "en": {
        "title": "Bill",
        "number": "Bill no.",
        "final": "FINAL BILL",
        "rebill": "REBILL",
        "phone": "Phone",
        "email": "Email",
        "account": "Account number",
        "customer": "Customer",
        "mailing": "Mailing address",
        "service_address": "Service address",
        "period": "Service period",
        "bill_date": "Bill date",
        "due_date": "Due date",
        "summary": "Account summary",
        "previous": "Previous amount due",
        "payments": "Payments and adjustments since",
        "current": "Current charges",
        "deposit": "Deposit applied",
        "refund": "Refund",
        "total": "TOTAL DUE",
        "due_by": "Please pay by",
        "meters": "Meter reads",
        "meter": "Meter",
        "size": "Size",
        "from": "Previous read",
        "to": "Current read",
        "units": "Units (HCF)",
        "estimated": "E = estimated read",
        "no_meters": "No metered service this period.",
        "charges": "Charges this period",
        "charge": "Charge",
        "how": "How it is figured",
        "amount": "Amount",
        "meter_charges": "Meter {serial}",
        "meter_total": "Meter {serial} total",
        "other_charges": "Other charges",
        "usage": "Usage history (HCF)",
        "no_usage": "No usage history yet.",
        "messages": "Messages",
        "continued": "continued",
        "continued_next": "Continued on the next page.",
        "stub": "Please return this portion with your payment",
        "amount_due": "Amount due",
        "enclosed": "Amount enclosed",
        "remit": "Remit to",
        "penalty": "A late penalty of the greater of $10.00 or 10% of the past-due amount is charged on "
        "balances unpaid 30 days after the due date.",
        "pay": "How to pay: {ways}.",
        "pay_office": "at our office, {detail}",
        "pay_mail": "by mail with the stub below",
        "pay_drop_box": "in the drop box at our office",
        "pay_online": "online at {detail}",
        "pay_phone": "by phone at {detail}",
        "pay_autopay": "automatically from your bank account (ask us to enroll)",
        "or": "or",
        "credit": "Your account has a credit balance: no payment is due.",
        "final_note": "This is the final bill for service at this address.",
        "deposit_note": "Your deposit of {amount} has been applied to this bill.",
        "refund_note": "A refund of {amount} will be mailed to you at the mailing address above.",
        "rebill_note": "This bill replaces an earlier bill for the same service period.",
    },
    "es": {
        "title": "Factura",
        "number": "Factura núm.",
        "final": "FACTURA FINAL",
        "rebill": "FACTURA CORREGIDA",
        "phone": "Teléfono",
        "email": "Correo",
        "account": "Número de cuenta",
        "customer": "Cliente",
        "mailing": "Dirección postal",
        "service_address": "Dirección de servicio",
        "period": "Periodo de servicio",
        "bill_date": "Fecha de factura",
        "due_date": "Fecha de vencimiento",
        "summary": "Resumen de cuenta",
        "previous": "Saldo anterior",
        "payments": "Pagos y ajustes desde entonces",
        "current": "Cargos actuales",
        "deposit": "Depósito aplicado",
        "refund": "Reembolso",
        "total": "TOTAL A PAGAR",
        "due_by": "Pague antes del",
        "meters": "Lecturas del medidor",
        "meter": "Medidor",
        "size": "Tamaño",
        "from": "Lectura anterior",
        "to": "Lectura actual",
        "units": "Unidades (HCF)",
        "estimated": "E = lectura estimada",
        "no_meters": "Sin servicio medido en este periodo.",
        "charges": "Cargos de este periodo",
        "charge": "Cargo",
        "how": "Cómo se calcula",
        "amount": "Importe",
        "meter_charges": "Medidor {serial}",
        "meter_total": "Total del medidor {serial}",
        "other_charges": "Otros cargos",
        "usage": "Historial de consumo (HCF)",
        "no_usage": "Todavía no hay historial de consumo.",
        "messages": "Mensajes",
        "continued": "continuación",
        "continued_next": "Continúa en la página siguiente.",
        "stub": "Por favor devuelva esta parte con su pago",
        "amount_due": "Monto a pagar",
        "enclosed": "Monto incluido",
        "remit": "Envíe su pago a",
        "penalty": "Se cobra un recargo por pago tardío del mayor entre $10.00 o el 10% del saldo vencido "
        "sobre los saldos no pagados 30 días después de la fecha de vencimiento.",
        "pay": "Cómo pagar: {ways}.",
        "pay_office": "en nuestra oficina, {detail}",
        "pay_mail": "por correo con el talón de abajo",
        "pay_drop_box": "en el buzón de pagos de nuestra oficina",
        "pay_online": "en línea en {detail}",
        "pay_phone": "por teléfono al {detail}",
        "pay_autopay": "automáticamente de su cuenta bancaria (pídanos inscribirle)",
        "or": "o",
        "credit": "Su cuenta tiene un saldo a favor: no hay pago pendiente.",
        "final_note": "Esta es la factura final del servicio en esta dirección.",
        "deposit_note": "Su depósito de {amount} se aplicó a esta factura.",
        "refund_note": "Se le enviará un reembolso de {amount} a la dirección postal indicada arriba.",
        "rebill_note": "Esta factura reemplaza una factura anterior del mismo periodo de servicio.",
    },
}

# Month names written here, not taken from the locale, so a print server's settings cannot change a bill.
MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}

# Layout, in mm on Letter (215.9 x 279.4).
MARGIN = 12.0
PAGE_W = 215.9
CONTENT_W = PAGE_W - 2 * MARGIN
PAGE_H = 279.4
STUB_TOP = PAGE_H - 76.2  # the perforation: the stub is the bottom 3 inches, to fit a #9 return envelope
FIRST_BOTTOM = STUB_TOP - 5.0  # the first page's body ends above the stub
NEXT_BOTTOM = PAGE_H - MARGIN - 5.0  # continuation pages have no stub
ROW = 4.3
LEADING = 3.4  # message lines
PAD = 1.0  # text inset in a box, as FPDF.cell's c_margin
GREY = (225, 225, 225)
DARK = (40, 40, 40)


def _text(value) -> str:
    # The core PDF fonts speak Latin-1; anything else prints as "?" rather than failing the print run.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _day(value: date, language: str) -> str:
    month = MONTHS[language][value.month - 1]
    return f"{month} {value.day}, {value.year}" if language == "en" else f"{value.day} {month} {value.year}"


def _month_label(value: date, language: str) -> str:
    return f"{MONTHS[language][value.month - 1].capitalize()} {value.year % 100:02d}"


def _number(value: Decimal) -> str:
    """Units and meter reads: whole numbers without decimals, fractions without trailing zeros."""
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


class _Bill:
    """Draws one bill into a shared FPDF; state lives here for the length of one bill only."""

    def __init__(self, pdf: FPDF, doc: BillDocument):
        self.pdf = pdf
        self.doc = doc
        self.t = TEXT[doc.language]
        self.bottom = FIRST_BOTTOM

    def font(self, style: str = "", size: float = 9) -> None:
        self.pdf.set_font("Helvetica", style, size)

    def width(self, text: str) -> float:
        # The core fonts' widths summed directly: FPDF.get_string_width and cell() run the text shaping and
        # line-breaking machinery on every call, which is most of the cost of a page of short labels.
        pdf = self.pdf
        return sum(pdf.current_font.cw[c] for c in text) * pdf.font_size_pt * 0.001 / pdf.k

    def fit(self, text: str, width: float, pad: float = PAD) -> tuple[str, float]:
        """`text` in Latin-1, shortened with "..." when it is wider than `width` (less the cell padding)."""
        text = _text(text)
        room = width - 2 * pad
        used = self.width(text)
        if used <= room:
            return text, used
        while text and self.width(text + "...") > room:
            text = text[:-1]
        return text + "...", self.width(text + "...")

    def put(
        self,
        x: float,
        y: float,
        w: float,
        text: str,
        align: str = "L",
        h: float = ROW,
        fill: bool = False,
        border: bool = False,
        pad: float = PAD,
    ) -> None:
        """A line of text in the box (x, y, w, h), placed as FPDF.cell would; FPDF.text is the cheap call."""
        pdf = self.pdf
        if fill or border:
            pdf.rect(x, y, w, h, style="DF" if fill and border else "F" if fill else "D")
        text, used = self.fit(text, w, pad)
        if not text:
            return
        if align == "R":
            x = x + w - pad - used
        elif align == "C":
            x = x + (w - used) / 2
        else:
            x = x + pad
        pdf.text(x, y + 0.5 * h + 0.3 * pdf.font_size, text)

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap of `text` into lines no wider than `width`."""
        lines, line = [], ""
        for word in _text(text).split():
            candidate = f"{line} {word}" if line else word
            if self.width(candidate) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
        return lines

    def paragraph(self, x: float, y: float, lines: list[str]) -> float:
        """Print wrapped `lines` from the top `y`; the y below them."""
        for line in lines:
            self.pdf.text(x, y + 0.5 * LEADING + 0.3 * self.pdf.font_size, line)
            y += LEADING
        return y

    def room(self, height: float) -> None:
        """Start a continuation page when `height` more mm would run past the foot of this page's body."""
        if self.pdf.get_y() + height > self.bottom:
            self.font("I", 8)
            self.put(MARGIN, self.bottom, CONTENT_W, self.t["continued_next"], align="R")
            self.pdf.add_page()
            self.bottom = NEXT_BOTTOM
            self.font("B", 9)
            doc = self.doc
            title = (
                f"{doc.district_name} - {self.t['title']} {doc.bill_number} - "
                f"{self.t['account']} {doc.account_number} ({self.t['continued']})"
            )
            self.put(MARGIN, MARGIN, CONTENT_W, title)
            self.pdf.set_y(MARGIN + 8)

    def draw(self) -> None:
        self.pdf.add_page()
        # The stub goes on the first page, with the summary it pays; a long bill runs on to further pages.
        self.stub()
        self.header()
        self.account()
        self.meters()
        self.charges()
        self.history_and_messages()

    def header(self) -> None:
        pdf, doc, t = self.pdf, self.doc, self.t
        self.font("B", 14)
        self.put(MARGIN, MARGIN, 120, doc.district_name, h=6)
        self.font("", 9)
        y = MARGIN + 6.5
        for line in doc.district_address.splitlines():
            self.put(MARGIN, y, 120, line, h=4)
            y += 4
        # A contact the district has not set is left off, never printed as an empty label.
        contact = [f"{t[key]}: {value}" for key, value in (("phone", doc.district_phone),
                                                           ("email", doc.district_email)) if value.strip()]  # fmt: skip
        if contact:
            self.put(MARGIN, y, 120, "   ".join(contact), h=4)
        right = PAGE_W - MARGIN - 70
        self.font("B", 18)
        self.put(right, MARGIN, 70, t["title"], align="R", h=8)
        self.font("", 9)
        self.put(right, MARGIN + 8.5, 70, f"{t['number']} {doc.bill_number}", align="R", h=4.5)
        if doc.kind != "regular":
            # Reverse-out, so a final or corrected bill is not mistaken for the usual monthly one.
            self.font("B", 11)
            pdf.set_fill_color(*DARK)
            pdf.set_text_color(255, 255, 255)
            self.put(right + 20, MARGIN + 14, 50, t[doc.kind], align="C", h=6.5, fill=True)
            pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(120, 120, 120)
        pdf.line(MARGIN, MARGIN + 22, PAGE_W - MARGIN, MARGIN + 22)

    def account(self) -> None:
        pdf, doc, t = self.pdf, self.doc, self.t
        top = MARGIN + 25
        # Left: who and where.
        y = top
        self.font("", 7.5)
        self.put(MARGIN, y, 100, t["account"], h=3.5)
        self.font("B", 12)
        self.put(MARGIN, y + 3.5, 100, doc.account_number, h=6)
        y += 11
        self.font("", 7.5)
        self.put(MARGIN, y, 100, t["mailing"], h=3.5)
        y += 3.5
        self.font("B", 9.5)
        self.put(MARGIN, y, 100, doc.customer_name)
        y += ROW
        self.font("", 9.5)
        for line in doc.mailing_lines:
            self.put(MARGIN, y, 100, line)
            y += ROW
        y += 1.5
        self.font("", 7.5)
        self.put(MARGIN, y, 100, t["service_address"], h=3.5)
        self.font("", 9.5)
        self.put(MARGIN, y + 3.5, 100, doc.service_address)
        left_bottom = y + 3.5 + ROW
        # Right: when, and how much.
        x, w = 118.0, PAGE_W - MARGIN - 118.0
        rows = [
            (t["period"], f"{_day(doc.period_start, doc.language)} - {_day(doc.period_end, doc.language)}"),
            (t["bill_date"], _day(doc.bill_date, doc.language)),
            (t["due_date"], _day(doc.due_date, doc.language)),
        ]
        y = top
        self.font("", 8.5)
        for label, value in rows:
            self.put(x, y, 34, label, h=4.2)
            self.put(x + 34, y, w - 34, value, align="R", h=4.2)
            y += 4.2
        y += 1.5
        box_top = y
        pdf.set_fill_color(*GREY)
        self.font("B", 9)
        self.put(x, y, w, t["summary"], fill=True)
        y += ROW + 0.5
        summary = [
            (t["previous"], doc.previous_amount_due),
            (t["payments"], doc.payments_and_adjustments),
            (t["current"], doc.current_charges),
        ]
        if doc.deposit_applied:
            summary.append((t["deposit"], -doc.deposit_applied))
        if doc.refund:
            summary.append((t["refund"], doc.refund))
        self.font("", 9)
        for label, amount in summary:
            self.put(x + 1, y, w - 31, label)
            self.put(x + w - 31, y, 30, format_money(amount), align="R")
            y += ROW
        pdf.line(x, y + 0.5, x + w, y + 0.5)
        y += 1
        self.font("B", 11)
        self.put(x + 1, y, w - 36, t["total"], h=6)
        self.put(x + w - 36, y, 35, format_money(doc.amount_due), align="R", h=6)
        y += 6
        self.font("", 8.5)
        self.put(x + 1, y, w - 2, f"{t['due_by']} {_day(doc.due_date, doc.language)}", align="R", h=4)
        pdf.rect(x, box_top, w, y + 4.5 - box_top)
        pdf.set_y(max(left_bottom, y + 4.5) + 2)

    def meters(self) -> None:
        pdf, doc, t = self.pdf, self.doc, self.t
        self.section(t["meters"])
        if not doc.meters:
            self.font("I", 9)
            self.put(MARGIN, pdf.get_y(), CONTENT_W, t["no_meters"])
            pdf.set_y(pdf.get_y() + ROW + 2)
            return
        columns = [
            (t["meter"], 34, "L"), (t["size"], 18, "L"), (t["from"], 52, "L"), (t["to"], 52, "L"),
            (t["units"], CONTENT_W - 156, "R"),
        ]  # fmt: skip
        self.table_header(columns)
        self.font("", 9)
        for meter in doc.meters:
            self.room(ROW)
            mark = " E" if meter.estimated else ""
            values = [
                meter.serial,
                f'{meter.size}"' if meter.size and meter.size[-1].isdigit() else meter.size,
                f"{_day(meter.from_date, doc.language)}   {_number(meter.from_value)}",
                f"{_day(meter.to_date, doc.language)}   {_number(meter.to_value)}{mark}",
                _number(meter.units),
            ]
            self.table_row(columns, values)
        if any(meter.estimated for meter in doc.meters):
            self.font("I", 7.5)
            self.put(MARGIN, pdf.get_y(), CONTENT_W, t["estimated"], h=3.8)
            pdf.set_y(pdf.get_y() + 3.8)
        pdf.set_y(pdf.get_y() + 2)

    def charges(self) -> None:
        pdf, doc, t = self.pdf, self.doc, self.t
        self.room(3 * ROW + 6)
        self.section(t["charges"])
        columns = [(t["charge"], 66, "L"), (t["how"], CONTENT_W - 96, "L"), (t["amount"], 30, "R")]
        self.table_header(columns)
        groups = charge_groups(doc)
        for serial, lines in groups:
            if len(groups) > 1 or serial:
                # Each meter's lines under its own heading, so a premise with two meters reads as two.
                if pdf.get_y() + 2 * ROW > self.bottom:
                    self.room(2 * ROW)
                    self.table_header(columns)
                self.font("B", 9)
                heading = t["meter_charges"].format(serial=serial) if serial else t["other_charges"]
                self.put(MARGIN, pdf.get_y(), CONTENT_W, heading)
                pdf.set_y(pdf.get_y() + ROW)
            for line in lines:
                if pdf.get_y() + ROW > self.bottom:
                    self.room(ROW)
                    self.table_header(columns)
                self.font("", 9)
                self.table_row(
                    columns,
                    [charge_text(line.description, doc.language), charge_text(line.explanation, doc.language),
                     format_money(line.amount)],
                )  # fmt: skip
            if len(groups) > 1 and serial:
                self.room(ROW)
                self.font("I", 9)
                self.put(MARGIN, pdf.get_y(), CONTENT_W - 30, t["meter_total"].format(serial=serial))
                total = sum((line.amount for line in lines), Decimal("0.00"))
                self.put(PAGE_W - MARGIN - 30, pdf.get_y(), 30, format_money(total), align="R")
                pdf.set_y(pdf.get_y() + ROW)
        self.room(ROW + 1)
        y = pdf.get_y()
        pdf.line(MARGIN, y + 0.3, PAGE_W - MARGIN, y + 0.3)
        self.font("B", 9)
        self.put(MARGIN, y + 0.5, CONTENT_W - 30, t["current"])
        self.put(PAGE_W - MARGIN - 30, y + 0.5, 30, format_money(doc.current_charges), align="R")
        pdf.set_y(y + ROW + 3)

    def section(self, title: str) -> None:
        self.font("B", 10)
        self.put(MARGIN, self.pdf.get_y(), CONTENT_W, title, h=5.5)
        self.pdf.set_y(self.pdf.get_y() + 5.5)

    def table_header(self, columns) -> None:
        self.font("B", 8)
        self.pdf.set_fill_color(*GREY)
        self.table_row(columns, [title for title, _, _ in columns], fill=True)

    def table_row(self, columns, values, fill: bool = False) -> None:
        x, y = MARGIN, self.pdf.get_y()
        for (_, width, align), value in zip(columns, values, strict=True):
            self.put(x, y, width, value, align=align, fill=fill)
            x += width
        self.pdf.set_y(y + ROW)

    def history_and_messages(self) -> None:
        pdf, t = self.pdf, self.t
        chart_h = 38.0
        self.room(chart_h)
        top = pdf.get_y()
        chart_w = 112.0
        self.chart(MARGIN, top, chart_w, chart_h)
        # Messages beside the chart; what does not fit there goes below it, on a new page if need be.
        x = MARGIN + chart_w + 6
        w = PAGE_W - MARGIN - x
        messages = list(self.messages())
        y = top
        self.font("B", 10)
        self.put(x, y, w, t["messages"], h=5.5)
        y += 5.5
        self.font("", 7.5)
        while messages:
            lines = self.wrap(messages[0], w - 2 * PAD)
            if y + len(lines) * LEADING > self.bottom:
                break
            messages.pop(0)
            y = self.paragraph(x + PAD, y, lines) + 1.2
        pdf.set_y(max(y, top + chart_h) + 2)
        for message in messages:
            self.font("", 7.5)
            lines = self.wrap(message, CONTENT_W - 2 * PAD)
            self.room(len(lines) * LEADING)
            self.font("", 7.5)
            pdf.set_y(self.paragraph(MARGIN + PAD, pdf.get_y(), lines) + 1.2)

    def messages(self) -> Iterable[str]:
        doc, t = self.doc, self.t
        if doc.kind == "final":
            yield t["final_note"]
        if doc.kind == "rebill":
            yield t["rebill_note"]
        if doc.deposit_applied:
            yield t["deposit_note"].format(amount=format_money(doc.deposit_applied))
        if doc.refund:
            yield t["refund_note"].format(amount=format_money(doc.refund))
        if doc.amount_due < 0:
            yield t["credit"]
        yield t["penalty"]
        ways = how_to_pay(doc.pay_channels, t)
        if ways:
            yield ways
        yield from doc.messages

    def chart(self, x: float, y: float, w: float, h: float) -> None:
        pdf, doc, t = self.pdf, self.doc, self.t
        self.font("B", 10)
        self.put(x, y, w, t["usage"], h=5.5)
        usage = doc.usage[-13:]
        if not usage:
            self.font("I", 9)
            self.put(x, y + 6, w, t["no_usage"])
            return
        top, bottom = y + 10, y + h - 5  # room above for the values, below for the month labels
        slot = w / 13
        highest = max(max(units for _, units in usage), Decimal(0)) or Decimal(1)
        pdf.set_draw_color(120, 120, 120)
        pdf.line(x, bottom, x + w, bottom)
        for index, (end, units) in enumerate(usage):
            left = x + index * slot
            bar = float(max(units, Decimal(0)) / highest) * (bottom - top)
            current = index == len(usage) - 1
            pdf.set_fill_color(*(DARK if current else (170, 170, 170)))
            if bar > 0:
                pdf.rect(left + slot * 0.15, bottom - bar, slot * 0.7, bar, style="F")
            self.font("B" if current else "", 6)
            self.put(left, bottom - bar - 3.2, slot, _number(units), align="C", h=3, pad=0)
            self.put(left, bottom + 0.5, slot, _month_label(end, doc.language), align="C", h=3.5, pad=0)

    def stub(self) -> None:
        pdf, doc, t = self.pdf, self.doc, self.t
        pdf.set_draw_color(0, 0, 0)
        pdf.set_dash_pattern(dash=1.5, gap=1.2)
        pdf.line(4, STUB_TOP, PAGE_W - 4, STUB_TOP)
        pdf.set_dash_pattern()
        self.font("I", 7.5)
        self.put(MARGIN, STUB_TOP + 1, CONTENT_W, t["stub"], align="C", h=3.5)
        # Left: the customer, and the district's remit-to address placed for a window return envelope.
        y = STUB_TOP + 8
        self.font("B", 11)
        self.put(MARGIN, y, 100, doc.district_name, h=5.5)
        self.font("", 8.5)
        self.put(MARGIN, y + 5.5, 100, f"{doc.customer_name} - {doc.service_address}", h=4)
        y += 18
        self.font("", 7.5)
        self.put(MARGIN + 8, y, 90, f"{t['remit']}:", h=3.5)
        self.font("", 10)
        y += 4
        for line in (doc.district_name, *doc.district_address.splitlines()):
            self.put(MARGIN + 8, y, 90, line, h=4.6)
            y += 4.6
        # Right: what to pay and by when, and a box to write what was paid.
        x, w = 118.0, PAGE_W - MARGIN - 118.0
        rows = [
            (t["account"], doc.account_number),
            (t["due_date"], _day(doc.due_date, doc.language)),
            (t["amount_due"], format_money(doc.amount_due)),
        ]
        y = STUB_TOP + 8
        for label, value in rows:
            self.font("", 8.5)
            self.put(x, y, w / 2, label, border=True, h=6.5)
            self.font("B", 10)
            self.put(x + w / 2, y, w / 2, value, align="R", border=True, h=6.5)
            y += 6.5
        self.font("", 8.5)
        self.put(x, y, w / 2, t["enclosed"], border=True, h=9)
        self.font("B", 10)
        self.put(x + w / 2, y, w / 2, "$", border=True, h=9)
        # OCR lines go in a monospace face at the foot, where the lockbox reader looks for them.
        pdf.set_font("Courier", "", 12)
        line = scanline(doc.account_number, doc.amount_due)
        width = pdf.get_string_width(line)
        self.put(PAGE_W - MARGIN - width, PAGE_H - 14, width, line, h=5, pad=0)


def group_by_meter(items: Iterable[tuple[T, str]], order: Sequence[str]) -> list[tuple[str, list[T]]]:
    """(item, meter serial) pairs grouped by meter: meters in `order` (the bill's meter reads), then any other
    serial, then the items of no meter ("" serial) last."""
    groups: dict[str, list[T]] = {}
    for item, serial in items:
        groups.setdefault(serial, []).append(item)
    rank = {serial: index for index, serial in enumerate(order)}
    return sorted(
        groups.items(), key=lambda group: (group[0] == "", rank.get(group[0], len(order)), group[0])
    )


def charge_groups(doc: BillDocument) -> list[tuple[str, list[DocumentLine]]]:
    """The bill's lines by meter. A bill whose lines name no meter (posted before lines did) is one group."""
    return group_by_meter(((line, line.meter) for line in doc.lines), [meter.serial for meter in doc.meters])


def _new_pdf(compress: bool) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_auto_page_break(auto=False)  # the layout places every block itself and keeps clear of the stub
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_compression(compress)
    pdf.set_line_width(0.25)
    return pdf


def _finish(pdf: FPDF, bill_date: date) -> bytes:
    # A fixed creation date makes the same bill print to the same bytes (re-prints compare equal).
    pdf.set_creation_date(datetime(bill_date.year, bill_date.month, bill_date.day, tzinfo=UTC))
    return bytes(pdf.output())


def render_pdf(doc: BillDocument, *, compress: bool = True) -> bytes:
    """One bill as a PDF. `compress=False` leaves the page text readable in the bytes (for tests)."""
    pdf = _new_pdf(compress)
    pdf.set_title(_text(f"{TEXT[doc.language]['title']} {doc.bill_number} {doc.account_number}"))
    pdf.set_lang(doc.language)
    _Bill(pdf, doc).draw()
    return _finish(pdf, doc.bill_date)


def render_many(docs: Iterable[BillDocument], *, compress: bool = True) -> bytes:
    """Many bills in one PDF for the print vendor, each starting on a new page, in the order given."""
    pdf = _new_pdf(compress)
    latest = None
    for doc in docs:
        _Bill(pdf, doc).draw()
        latest = doc.bill_date if latest is None else max(latest, doc.bill_date)
    if latest is None:
        raise DocumentError("There are no bills to print.")
    return _finish(pdf, latest)
