"""The returned-payment letter (a check returned unpaid, or an autopay debit returned): one Letter page, in
English or Spanish. Pure: plain values in, PDF bytes out, no ORM (bank.return_letter gathers the values).

The letter a return sends is issued as correspondence from the district's templates `returned_check` and
`returned_ach` (English and Spanish, editable like every other letter), with `merge_fields` below as its
`payment` merge fields: bank.payment_return keeps the letter on the account's correspondence and its PDF on the
return. `paragraphs` and `render_pdf` write the same wording from the tables below without a database (the
shipped templates' first versions say the same).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from fpdf import FPDF

from cistern.core.money import format_money

LANGUAGES = ("en", "es")
KINDS = ("nsf_check", "ach")


@dataclass(frozen=True)
class ReturnLetter:
    district_name: str
    district_address: str
    district_phone: str
    letter_date: date
    customer_name: str
    mailing_lines: tuple[str, ...]
    accounts: tuple[str, ...]  # the account numbers the payment paid
    kind: str  # "nsf_check" | "ach"
    receipt: str
    check_number: str
    amount: Decimal
    received_on: date
    returned_on: date
    reason: str  # as the bank's notice gives it (English); a reason in REASONS is printed in Spanish in es
    fee: Decimal  # the returned-payment fee charged (0: none)
    fee_name: str = ""
    reason_code: str = ""  # an ACH return code (R01...)
    cash_only_until: date | None = None  # the account takes no checks through this day
    language: str = "en"

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError(f"Letter language must be one of {', '.join(LANGUAGES)}; got {self.language!r}.")
        if self.kind not in KINDS:
            raise ValueError(f"Letter kind must be one of {', '.join(KINDS)}; got {self.kind!r}.")


# The bank's usual reasons (bank.RETURN_REASONS and the ACH return codes' meanings) in Spanish.
REASONS_ES = {
    "Insufficient funds": "Fondos insuficientes",
    "Uncollected funds": "Fondos no cobrados",
    "Account closed": "Cuenta cerrada",
    "Payment stopped": "Pago suspendido (orden de no pago)",
    "No account / unable to locate": "Cuenta inexistente o no localizada",
    "Invalid account number": "Número de cuenta no válido",
    "Account frozen": "Cuenta congelada",
    "Refer to maker": "Consulte al emisor del cheque",
    "Signature missing or not valid": "Firma ausente o no válida",
    "Unauthorized debit": "Débito no autorizado",
    "Authorization revoked": "Autorización revocada",
}

TEXT = {
    "en": {
        "title_nsf_check": "Returned check",
        "title_ach": "Returned automatic payment",
        "dear": "Dear {name},",
        "what_nsf_check": "Your check no. {check} for {amount}, received on {received} and applied to account "
        "{accounts} (receipt {receipt}), was returned unpaid by your bank on {returned}. The bank's reason: "
        "{reason}.",
        "what_ach": "Your automatic payment of {amount} from your bank account, dated {received}, for account "
        "{accounts} (receipt {receipt}), was returned unpaid by your bank on {returned}. The bank's reason: "
        "{reason}.",
        "removed": "The payment has been removed from your account, so the charges it paid are due again.",
        "fee": "A returned payment fee of {fee} has been charged to your account, as the district's fee "
        "schedule provides.",
        "pay": "Please pay {total} (the returned payment{and_fee}) as soon as possible to avoid late penalties "
        "and collection action.",
        "and_fee": " and the fee",
        "cash_only": "Because payments on your account have been returned more than once in 12 months, we cannot "
        "accept checks for it through {until}. Please pay in cash, by money order or by card.",
        "questions": "If you have questions, please call us at {phone}.",
        "questions_no_phone": "If you have questions, please visit or write to our office.",
        "closing": "Sincerely,",
        "signature": "{district} Customer Service",
        "account": "Account",
        "accounts": "Accounts",
        "date": "Date",
    },
    "es": {
        "title_nsf_check": "Cheque devuelto",
        "title_ach": "Pago automático devuelto",
        "dear": "Estimado(a) {name}:",
        "what_nsf_check": "Su cheque núm. {check} por {amount}, recibido el {received} y aplicado a la cuenta "
        "{accounts} (recibo {receipt}), fue devuelto sin pagar por su banco el {returned}. Motivo indicado por el "
        "banco: {reason}.",
        "what_ach": "Su pago automático de {amount} desde su cuenta bancaria, con fecha {received}, para la cuenta "
        "{accounts} (recibo {receipt}), fue devuelto sin pagar por su banco el {returned}. Motivo indicado por el "
        "banco: {reason}.",
        "removed": "Hemos retirado el pago de su cuenta, por lo que los cargos que cubría vuelven a estar "
        "pendientes.",
        "fee": "Se ha cobrado a su cuenta un cargo por pago devuelto de {fee}, según la tabla de tarifas del "
        "distrito.",
        "pay": "Le pedimos que pague {total} (el pago devuelto{and_fee}) lo antes posible para evitar recargos "
        "por mora y acciones de cobro.",
        "and_fee": " y el cargo",
        "cash_only": "Como se han devuelto pagos de su cuenta más de una vez en 12 meses, no podremos aceptar "
        "cheques para esta cuenta hasta el {until}, inclusive. Por favor pague en efectivo, con giro postal "
        "(money order) o con tarjeta.",
        "questions": "Si tiene preguntas, llámenos al {phone}.",
        "questions_no_phone": "Si tiene preguntas, visite o escriba a nuestra oficina.",
        "closing": "Atentamente,",
        "signature": "Servicio al Cliente de {district}",
        "account": "Cuenta",
        "accounts": "Cuentas",
        "date": "Fecha",
    },
}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
}  # fmt: skip

MARGIN = 25.0
PAGE_W = 215.9
CONTENT_W = PAGE_W - 2 * MARGIN


def day_text(value: date, language: str) -> str:
    month = MONTHS[language][value.month - 1]
    return (
        f"{month} {value.day}, {value.year}"
        if language == "en"
        else f"{value.day} de {month} de {value.year}"
    )


def reason_text(letter: ReturnLetter) -> str:
    reason = letter.reason.strip()
    if letter.language == "es":
        reason = REASONS_ES.get(reason, reason)
    return f"{reason} ({letter.reason_code})" if letter.reason_code else reason


def paragraphs(letter: ReturnLetter) -> list[str]:
    """The letter's body, paragraph by paragraph, in its language."""
    t, lang = TEXT[letter.language], letter.language
    accounts = ", ".join(letter.accounts)
    body = [
        t["dear"].format(name=letter.customer_name),
        t[f"what_{letter.kind}"].format(
            check=letter.check_number or "-",
            amount=format_money(letter.amount),
            received=day_text(letter.received_on, lang),
            accounts=accounts,
            receipt=letter.receipt,
            returned=day_text(letter.returned_on, lang),
            reason=reason_text(letter),
        ),  # fmt: skip
        t["removed"],
    ]
    if letter.fee > 0:
        body.append(t["fee"].format(fee=format_money(letter.fee)))
    body.append(
        t["pay"].format(
            total=format_money(letter.amount + max(letter.fee, Decimal(0))),
            and_fee=t["and_fee"] if letter.fee > 0 else "",
        )
    )
    if letter.cash_only_until is not None:
        body.append(t["cash_only"].format(until=day_text(letter.cash_only_until, lang)))
    phone = letter.district_phone.strip()
    body.append(t["questions"].format(phone=phone) if phone else t["questions_no_phone"])
    return body


TEMPLATES = {"nsf_check": "returned_check", "ach": "returned_ach"}  # correspondence template codes


def merge_fields(letter: ReturnLetter) -> dict:
    """The `payment` merge fields of the returned-payment templates (dates as dates: the template formats them in
    the letter's language; the bank's reason already in it)."""
    fee = max(letter.fee, Decimal(0))
    return {
        "kind": letter.kind, "check_number": letter.check_number, "amount": format_money(letter.amount),
        "received_on": letter.received_on, "returned_on": letter.returned_on, "accounts": ", ".join(letter.accounts),
        "receipt": letter.receipt, "reason": reason_text(letter), "fee": format_money(fee) if fee > 0 else "",
        "fee_name": letter.fee_name, "total": format_money(letter.amount + fee),
        "cash_only_until": letter.cash_only_until,
    }  # fmt: skip


def _latin(value) -> str:
    return str(value).encode("latin-1", "replace").decode("latin-1")


def render_pdf(letter: ReturnLetter, *, compress: bool = True) -> bytes:
    """The letter as a PDF. `compress=False` leaves the page text readable in the bytes (for tests)."""
    t = TEXT[letter.language]
    pdf = FPDF(orientation="P", unit="mm", format="Letter")
    pdf.set_compression(compress)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    title = t[f"title_{letter.kind}"]
    pdf.set_title(_latin(f"{title} {letter.receipt}"))
    pdf.set_lang(letter.language)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(CONTENT_W, 7, _latin(letter.district_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9.5)
    for line in (letter.district_address, letter.district_phone):
        if line.strip():
            pdf.cell(CONTENT_W, 4.5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    # The address block sits where a #10 window envelope shows it.
    pdf.set_font("Helvetica", "", 11)
    for line in (letter.customer_name, *letter.mailing_lines):
        pdf.cell(CONTENT_W, 5.5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    label = t["account"] if len(letter.accounts) == 1 else t["accounts"]
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(CONTENT_W, 5, _latin(f"{t['date']}: {day_text(letter.letter_date, letter.language)}"),
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.cell(CONTENT_W, 5, _latin(f"{label}: {', '.join(letter.accounts)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(CONTENT_W, 7, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in paragraphs(letter):
        pdf.multi_cell(CONTENT_W, 5.5, _latin(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(4)
    pdf.cell(CONTENT_W, 5.5, _latin(t["closing"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.cell(CONTENT_W, 5.5, _latin(t["signature"].format(district=letter.district_name)),
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    # A fixed creation date: the same letter renders to the same bytes.
    day = letter.letter_date
    pdf.set_creation_date(datetime(day.year, day.month, day.day, tzinfo=UTC))
    return bytes(pdf.output())
