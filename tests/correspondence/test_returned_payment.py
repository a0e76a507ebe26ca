# ruff: noqa: F811  (the payments fixtures, imported, are the parameters)
"""A returned check's letter is correspondence like every other: written from the returned_check template in the
customer's language, on the account, printed with the day's letters, and kept on the return as its PDF."""

from datetime import date
from decimal import Decimal

import pytest

from cistern.core import clock
from cistern.correspondence import services
from cistern.correspondence.models import Correspondence, LetterTemplate
from cistern.demo.rates import load_rates
from cistern.payments import bank, drawer
from cistern.payments import services as payments
from tests.payments.conftest import cashier, charge, lead, supervisor_user  # noqa: F401 (fixtures)

from .conftest import page_text

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_returned_check_writes_its_letter_from_the_template(
    district,
    start_account,
    customer_factory,
    charge,
    cashier,
    lead,
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
        letter = Correspondence.objects.get()
        assert letter.account == account and letter.key == f"payment_return:{returned.pk}"
        assert letter.source_kind == "payment_return" and letter.source_id == returned.pk
        assert letter.template_version.template == LetterTemplate.objects.get(
            code="returned_check", language="es", channel="letter"
        )
        assert letter.subject == "Cheque devuelto" and letter.issued_on == date(2026, 11, 24)
        assert letter.body.startswith(
            "Estimado(a) José Ramírez:\n\nSu cheque núm. 5150 por $45.56, recibido el 24 de noviembre de 2026 y "
            f"aplicado a la cuenta {account.number} (recibo {payment.receipt_number}), fue devuelto sin pagar por "
            "su banco el 24 de noviembre de 2026. Motivo indicado por el banco: Fondos insuficientes."
        )
        assert "Le pedimos que pague $" in letter.body
        assert page_text(bytes(returned.letter_pdf)) == page_text(services.correspondence_pdf(letter))
        batch = services.print_batch_create(actor=lead, on=date(2026, 11, 24))
    assert batch.letter_count == 1 and "Cheque devuelto" in page_text(services.print_batch_pdf(batch))
