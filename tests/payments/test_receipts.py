"""Receipts: an 80 mm roll or a Letter page carrying everything the counter's practice asks for; the first print
is the original and every later one says COPY."""

import re
import zlib
from decimal import Decimal

import pytest

from cistern.core.models import AuditEvent
from cistern.payments import receipts
from cistern.payments import services as payments
from cistern.payments.models import ReceiptPrint

pytestmark = pytest.mark.django_db
D = Decimal


def pdf_text(pdf: bytes) -> bytes:
    """The page content of a PDF (its streams inflated): fpdf2 writes core-font text as "(text) Tj"."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    return b"\n".join(streams)


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points (the first box is the page tree's default, left out)."""
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    return [(float(w), float(h)) for w, h in boxes[1:]]


@pytest.fixture
def named_cashier(cashier):
    cashier.first_name, cashier.last_name = "Rosa", "Diaz"
    cashier.save()
    return cashier


@pytest.fixture
def split_payment(named_cashier, open_drawer, owing_account, start_account):
    """$45.56 to the owing account and $20.00 to a second account of the customer: a check and cash, $50 handed
    over for the cash."""
    second = start_account(customer=owing_account.customer)
    request = payments.PaymentRequest(
        channel="counter", parts=[(owing_account, D("45.56")), (second, D("20.00"))],
        tenders=[payments.Tender("check", D("40.00"), check_number="1042"), payments.Tender("cash", D("25.56"))],
        cash_tendered=D("50.00"),
    )  # fmt: skip
    payment, _ = payments.payment_post(actor=named_cashier, session=open_drawer, request=request)
    return payment, second


def test_the_receipt_carries_what_the_counter_practice_asks(
    client, named_cashier, split_payment, owing_account
):
    payment, second = split_payment
    client.force_login(named_cashier)
    response = client.get(f"/payments/payments/{payment.pk}/receipt.pdf?size=80mm")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    (width, height), = media_boxes(pdf)  # fmt: skip
    assert round(width / 72 * 25.4) == 80 and height > width  # 80 mm wide, as tall as the receipt
    text = pdf_text(pdf)
    local = payment.posted_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Los_Angeles"))
    for expected in [
        payment.receipt_number, "PAYMENT RECEIPT", f"{local:%m/%d/%Y %I:%M %p}", "Rosa Diaz", "Counter 1",
        "Maria Lopez", f"Account {owing_account.number}", f"Account {second.number}",
        owing_account.premise.service_address, second.premise.service_address, "Check 1042", "$40.00", "Cash",
        "$25.56", "$45.56", "$20.00", "Total paid", "$65.56", "Cash received", "$50.00", "Change given", "$24.44",
        "Balance after payment", "$0.00",
    ]:  # fmt: skip
        assert f"({expected}".encode("latin-1") in text or expected.encode("latin-1") in text, expected
    assert b"COPY" not in text


def test_a_second_print_says_copy(client, named_cashier, split_payment, lead):
    payment, _ = split_payment
    client.force_login(named_cashier)
    first = client.get(f"/payments/payments/{payment.pk}/receipt.pdf?size=80mm")
    assert b"COPY" not in pdf_text(first.content)
    client.force_login(lead)
    second = client.get(f"/payments/payments/{payment.pk}/receipt.pdf?size=letter")
    assert second["Content-Disposition"].endswith('-letter-copy.pdf"')
    text = pdf_text(second.content)
    assert b"(*** COPY ***) Tj" in text and b"COPY printed" in text
    assert media_boxes(second.content) == [(612.0, 792.0)]  # Letter
    third = client.get(f"/payments/payments/{payment.pk}/receipt.pdf")  # 80 mm by default
    assert b"(*** COPY ***) Tj" in pdf_text(third.content)
    prints = list(
        ReceiptPrint.objects.filter(payment=payment).values_list("size", "copy", "printed_by__username")
    )
    assert prints == [("80mm", False, "cashier"), ("letter", True, "lead"), ("80mm", True, "lead")]
    assert AuditEvent.objects.filter(action="receipt.print", object_id=str(payment.pk)).count() == 3


def test_a_card_shows_its_last_four_and_a_void_says_so(named_cashier, open_drawer, owing_account):
    request = payments.PaymentRequest(
        channel="counter", parts=[(owing_account, D("45.56"))],
        tenders=[payments.Tender("card", D("45.56"), card_last_four="4242", reference="AUTH-9")],
    )  # fmt: skip
    payment, _ = payments.payment_post(actor=named_cashier, session=open_drawer, request=request)
    payments.payment_void(actor=named_cashier, payment=payment, reason="Declined after all")
    pdf, printed = receipts.receipt_print(actor=named_cashier, payment=payment, size="80mm")
    text = pdf_text(pdf)
    assert b"Card ending 4242 \\(ref. AUTH-9\\)" in text and b"*** VOIDED ***" in text
    assert printed.copy is False


def test_a_size_that_is_not_offered_is_400(client, named_cashier, split_payment):
    payment, _ = split_payment
    client.force_login(named_cashier)
    assert client.get(f"/payments/payments/{payment.pk}/receipt.pdf?size=a4").status_code == 400
    assert ReceiptPrint.objects.count() == 0
    assert client.get("/payments/payments/999999/receipt.pdf").status_code == 404


def test_a_long_name_wraps_instead_of_running_off_the_roll(named_cashier, split_payment):
    payment, _ = split_payment
    payment.customer.name = "The Very Long Name Family Revocable Living Trust of Joshua Tree, Trustees"
    payment.customer.save()
    pdf, _ = receipts.receipt_print(actor=named_cashier, payment=payment, size="80mm")
    text = pdf_text(pdf)
    assert b"The Very Long Name" in text and b"Trustees" in text
