"""A posted bill as the customer gets it: the PDF (document.py draws it from plain values), the print
vendor's file, and the e-bill email for paperless customers."""

import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction

from cistern.core.selectors import district_settings

from . import document, extra_lines, selectors
from .models import Bill, BillEmail, BillEmailOutcome, BillKind, BillRun
from .scanline import scanline

log = logging.getLogger(__name__)


def _mailing_lines(bill: Bill) -> tuple[str, ...]:
    account, customer = bill.account, bill.account.customer
    if bill.kind == BillKind.FINAL and account.forwarding_street:
        unit = f" {account.forwarding_unit}" if account.forwarding_unit else ""
        return (
            f"{account.forwarding_street}{unit}",
            f"{account.forwarding_city}, {account.forwarding_state} {account.forwarding_zip}",
        )
    unit = f" {customer.mailing_unit}" if customer.mailing_unit else ""
    return (
        f"{customer.mailing_street}{unit}",
        f"{customer.mailing_city}, {customer.mailing_state} {customer.mailing_zip}",
    )


def pay_channels(district) -> tuple[tuple[str, str], ...]:
    """The ways to pay the district has turned on (its settings), as the bill prints them."""
    office = district.street or "our office"
    channels = [
        ("office", office) if district.pay_at_office else None,
        ("mail", "") if district.pay_by_mail else None,
        ("drop_box", "") if district.pay_drop_box else None,
        ("online", district.pay_online_url) if district.pay_online_url else None,
        ("phone", district.pay_by_phone_number) if district.pay_by_phone_number else None,
        ("autopay", "") if district.pay_autopay else None,
    ]
    return tuple(c for c in channels if c is not None)


def bill_document(bill: Bill, *, usage=None, district=None) -> document.BillDocument:
    """`bill` with its lines, meters, account, customer and premise loaded (selectors.bills_with_lines)."""
    district = district or district_settings()
    if usage is None:
        usage = selectors.usage_history(bill.account_id, bill.period_end)
    city = ", ".join(
        part for part in (district.city, f"{district.state} {district.zip_code}".strip()) if part
    )
    return document.BillDocument(
        district_name=district.name, district_address=", ".join(p for p in (district.street, city) if p),
        district_phone=district.phone, district_email=district.email, bill_number=bill.pk, kind=bill.kind,
        pay_channels=pay_channels(district),
        account_number=bill.account.number, customer_name=bill.account.customer.name,
        mailing_lines=_mailing_lines(bill), service_address=bill.account.premise.service_address,
        period_start=bill.period_start, period_end=bill.period_end, bill_date=bill.bill_date,
        due_date=bill.due_date,
        meters=tuple(
            document.DocumentMeter(
                serial=m.serial, size=m.size, from_date=m.from_date, from_value=m.from_value, to_date=m.to_date,
                to_value=m.to_value, units=m.units, estimated=m.estimated,
            )
            for m in bill.meters.all()
        ),
        lines=tuple(
            document.DocumentLine(ln.description, ln.explanation, ln.amount, meter=serial)
            for ln, serial in selectors.lines_with_meters(bill)
        ),
        previous_amount_due=bill.previous_amount_due, payments_and_adjustments=bill.payments_and_adjustments,
        current_charges=bill.current_charges, deposit_applied=bill.deposit_applied, refund=bill.refund,
        amount_due=bill.amount_due, usage=tuple(usage), language=bill.language,
        messages=tuple(extra_lines.lines_for(bill)),
    )  # fmt: skip


def bill_pdf(bill: Bill, *, district=None) -> bytes:
    return document.render_pdf(bill_document(bill, district=district))


PRINT_COLUMNS = [
    "bill_number", "kind", "account_number", "customer_name", "mailing_line_1", "mailing_line_2",
    "service_address", "language", "period_start", "period_end", "bill_date", "due_date", "units",
    "previous_amount_due", "payments_and_adjustments", "current_charges", "deposit_applied", "refund",
    "amount_due", "scanline",
]  # fmt: skip


def print_rows(run: BillRun) -> Iterator[list]:
    """One row per bill the vendor prints and mails: every posted bill of the run except paperless ones."""
    bills = (
        run.bills.filter(account__customer__paperless=False)
        .select_related("account__customer", "account__premise")
        .order_by("id")
    )
    for bill in bills.iterator(chunk_size=2000):
        lines = _mailing_lines(bill)
        yield [
            bill.pk, bill.kind, bill.account.number, bill.account.customer.name, lines[0], lines[1],
            bill.account.premise.service_address, bill.language, bill.period_start.isoformat(),
            bill.period_end.isoformat(), bill.bill_date.isoformat(), bill.due_date.isoformat(), bill.units,
            bill.previous_amount_due, bill.payments_and_adjustments, bill.current_charges, bill.deposit_applied,
            bill.refund, bill.amount_due, scanline(bill.account.number, bill.amount_due),
        ]  # fmt: skip


SUBJECT = {
    "en": "Your water bill {number}: {amount} due {due}",
    "es": "Su factura de agua {number}: {amount} vence el {due}",
}
BODY = {
    "en": "Dear {name},\n\nYour bill for service at {address} from {start} to {end} is attached.\n"
    "Amount due: {amount} by {due}.\n\nAccount {account}\n{district}\n{phone}\n",
    "es": "Estimado(a) {name}:\n\nAdjuntamos su factura por el servicio en {address} del {start} al {end}.\n"
    "Total a pagar: {amount} antes del {due}.\n\nCuenta {account}\n{district}\n{phone}\n",
}


def send_ebills(run: BillRun | None = None, bills=None) -> int:
    """E-mail each paperless customer's bill (PDF attached) once. Each e-bill's row is written and committed
    before the mail is handed to the server, never inside a transaction that could roll back after it went:
    a resumed send mails nobody twice, and each outcome (sent, or refused with why) is recorded. Returns how
    many were sent."""
    district = district_settings()
    if bills is None:
        bills = run.bills.all()
    pending = (
        selectors.bills_with_lines()
        .filter(pk__in=bills.values("pk"), account__customer__paperless=True, email__isnull=True)
        .order_by("id")
    )
    sent = 0
    connection = get_connection()  # opened at the first send, kept open; a refusal is that e-bill's outcome
    try:
        for bill in pending.iterator(chunk_size=200):
            address = bill.account.customer.email
            try:
                with transaction.atomic():
                    email = BillEmail.objects.create(bill=bill, address=address)
            except IntegrityError:
                continue  # another sender got there first
            try:
                connection.open()
                _message(bill, address, district, connection).send()
            except Exception as exc:  # the mail server refused it: kept, with why, for a person to see
                BillEmailOutcome.objects.create(email=email, sent=False, error=str(exc)[:200])
                log.warning("e-bill %s to %s failed: %s", bill.pk, address, exc)
                continue
            BillEmailOutcome.objects.create(email=email, sent=True)
            sent += 1
    finally:
        connection.close()
    log.info("sent %s e-bills", sent)
    return sent


def _message(bill: Bill, address: str, district, connection) -> EmailMessage:
    customer = bill.account.customer
    language = bill.language if bill.language in BODY else "en"
    values = {
        "name": customer.name, "address": bill.account.premise.service_address,
        "start": f"{bill.period_start:%m/%d/%Y}", "end": f"{bill.period_end:%m/%d/%Y}",
        "amount": f"${bill.amount_due:,.2f}", "due": f"{bill.due_date:%m/%d/%Y}", "number": bill.pk,
        "account": bill.account.number, "district": district.name, "phone": district.phone,
    }  # fmt: skip
    message = EmailMessage(
        subject=SUBJECT[language].format(**values), body=BODY[language].format(**values),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[address], connection=connection,
    )  # fmt: skip
    message.attach(
        f"bill-{bill.account.number}-{bill.pk}.pdf", bill_pdf(bill, district=district), "application/pdf"
    )
    return message
