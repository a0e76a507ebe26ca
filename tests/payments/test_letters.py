"""The returned-payment letter, in English and Spanish: its words from plain values, and the letter a return
keeps in the customer's language."""

import contextlib
import re
import zlib
from datetime import date
from decimal import Decimal

import pytest

from cistern.core import clock
from cistern.demo.rates import load_rates
from cistern.payments import bank, drawer, letters
from cistern.payments import services as payments

D = Decimal


def make(**changes) -> letters.ReturnLetter:
    values = {
        "district_name": "Joshua Basin Water District", "district_address": "61750 Chollita Rd, Joshua Tree, CA 92252",
        "district_phone": "(760) 366-8438", "letter_date": date(2026, 11, 24), "customer_name": "Maria Lopez",
        "mailing_lines": ("100 Sunburst Ave", "Joshua Tree, CA 92252"), "accounts": ("10000015",), "kind": "nsf_check",
        "receipt": "R00000042", "check_number": "2001", "amount": D("45.56"), "received_on": date(2026, 11, 5),
        "returned_on": date(2026, 11, 24), "reason": "Insufficient funds", "fee": D("35.00"), "fee_name": "Returned check (NSF)",
    }  # fmt: skip
    values.update(changes)
    return letters.ReturnLetter(**values)


def page_text(pdf: bytes) -> str:
    """The text of a PDF's content streams (inflated when compressed), for looking words up."""
    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            stream = zlib.decompress(stream)
        found.append(stream.decode("latin-1"))
    return "\n".join(found).replace("\\(", "(").replace("\\)", ")")


def test_the_english_letter_says_what_was_returned_and_what_is_owed():
    paragraphs = letters.paragraphs(make())
    assert paragraphs[0] == "Dear Maria Lopez,"
    assert paragraphs[1] == (
        "Your check no. 2001 for $45.56, received on November 5, 2026 and applied to account 10000015 (receipt "
        "R00000042), was returned unpaid by your bank on November 24, 2026. The bank's reason: Insufficient funds."
    )
    assert "A returned payment fee of $35.00 has been charged" in paragraphs[3]
    assert "Please pay $80.56 (the returned payment and the fee)" in paragraphs[4]
    assert not any("checks" in p for p in paragraphs)  # one return: checks are still taken
    assert paragraphs[-1] == "If you have questions, please call us at (760) 366-8438."
    text = page_text(letters.render_pdf(make(), compress=False))
    for words in ["Returned check", "Maria Lopez", "100 Sunburst Ave", "Account: 10000015", "Sincerely,",
                  "Joshua Basin Water District Customer Service"]:  # fmt: skip
        assert words in text, words


def test_the_spanish_letter():
    letter = make(language="es", cash_only_until=date(2027, 11, 23))
    paragraphs = letters.paragraphs(letter)
    assert paragraphs[0] == "Estimado(a) Maria Lopez:"
    assert paragraphs[1] == (
        "Su cheque núm. 2001 por $45.56, recibido el 5 de noviembre de 2026 y aplicado a la cuenta 10000015 "
        "(recibo R00000042), fue devuelto sin pagar por su banco el 24 de noviembre de 2026. Motivo indicado por "
        "el banco: Fondos insuficientes."
    )
    assert "cargo por pago devuelto de $35.00" in paragraphs[3]
    assert "no podremos aceptar cheques para esta cuenta hasta el 23 de noviembre de 2027" in paragraphs[5]
    pdf = letters.render_pdf(letter, compress=False)
    text = page_text(pdf)
    assert "Cheque devuelto" in text and "Atentamente," in text
    assert "Dear" not in text and "Returned check" not in text
    assert "núm.".encode("latin-1") in pdf  # accents in Latin-1, not question marks


def test_an_ach_return_letter_and_no_fee():
    paragraphs = letters.paragraphs(
        make(kind="ach", reason="Account closed", reason_code="R02", fee=D("0.00"))
    )
    assert paragraphs[1].startswith("Your automatic payment of $45.56 from your bank account")
    assert "The bank's reason: Account closed (R02)." in paragraphs[1]
    assert not any("fee of" in p for p in paragraphs)
    assert "Please pay $45.56 (the returned payment) as soon" in paragraphs[3]
    with pytest.raises(ValueError, match="language"):
        make(language="fr")


def test_a_return_keeps_its_letter_in_the_customers_language(
    start_account, customer_factory, charge, cashier, lead
):
    load_rates()
    account = start_account(customer=customer_factory(name="José Ramírez", preferred_language="es"))
    charge(account, "45.56", date(2026, 11, 20))
    with clock.on(date(2026, 11, 24)):
        session = payments.drawer_open(actor=cashier, drawer_name="Counter 1", opening_float=D("150.00"))
        request = payments.PaymentRequest(
            channel="counter", parts=[(account, D("45.56"))],
            tenders=[payments.Tender("check", D("45.56"), check_number="5150")],
        )  # fmt: skip
        payment, _ = payments.payment_post(actor=cashier, session=session, request=request)
        session = payments.drawer_close(
            actor=cashier,
            session=session,
            count=drawer.BlindCount(bills={100: 1, 50: 1}, checks=(D("45.56"),)),
        )
        payments.drawer_audit(actor=lead, session=session)
        returned = bank.payment_return(
            actor=lead, payment=payment, returned_on=date(2026, 11, 24), reason="Insufficient funds"
        )
    assert returned.letter_language == "es"
    text = page_text(bytes(returned.letter_pdf))
    assert "Cheque devuelto" in text and "José Ramírez".encode("latin-1").decode("latin-1") in text
    assert "cheque núm. 5150 por $45.56" in text
    assert "Fondos insuficientes" in text
