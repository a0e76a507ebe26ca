"""What the other reports say, built through the services: the returned payments with the fee charged (the
ledger's), the service orders open, overdue, completed and voided by type and technician, and the customers
enrolled in the assistance programs."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from cistern.core import clock, roles
from cistern.customers import services as customers
from cistern.fieldwork import services as fieldwork
from cistern.ledger.models import JournalLine
from cistern.payments import bank
from cistern.payments.models import Payment, PaymentReturn, PaymentStatus
from cistern.reports import registry

pytestmark = pytest.mark.django_db
RETURNED = date(2026, 8, 20)


def test_returned_payments_with_the_fee_the_ledger_charged(books, lead):
    check = Payment.objects.get(tenders__kind="check", status=PaymentStatus.POSTED)
    with clock.on(RETURNED):
        bank.payment_return(actor=lead, payment=check, returned_on=RETURNED, reason="NSF")
    result = registry.get("nsf_returns").run({"date_from": RETURNED, "date_to": RETURNED})
    (row,) = list(result.rows)
    returned = PaymentReturn.objects.get()
    fee = JournalLine.objects.filter(entry=returned.fee_entry, gl_account__receivable=True).aggregate(
        t=Sum("amount")
    )
    assert row[:7] == (
        RETURNED,
        check.receipt_number,
        check.customer.name,
        "Returned check",
        "",
        "NSF",
        D("30.00"),
    )
    assert row[7] == D(fee["t"]).quantize(D("0.01")) > 0 and row[8] == "report_lead"
    assert result.totals == {"amount": D("30.00"), "fee": row[7]}
    assert (
        registry.get("nsf_returns")
        .run({"date_from": RETURNED.replace(day=21), "date_to": date(2026, 9, 1)})
        .row_count
        == 0
    )


def test_service_orders_by_type_and_technician(start_account, css2, make_user):
    technician = make_user(roles.FIELD_TECHNICIAN, username="tech_ana")
    account = start_account()
    leak = fieldwork.order_type_get("leak_check")
    hanger = fieldwork.order_type_get("door_hanger")

    def order(kind, on):
        return fieldwork.order_create(actor=css2, order_type=kind, premise=account.premise, account=account,
                                      requested_on=on)  # fmt: skip

    done = order(leak, date(2026, 11, 2))
    fieldwork.order_schedule(actor=css2, order=done, scheduled_on=date(2026, 11, 3), technician=technician)
    fieldwork.order_complete(
        actor=technician, order=done, completion=fieldwork.Completion(on=date(2026, 11, 3))
    )
    late = order(leak, date(2026, 11, 4))
    fieldwork.order_schedule(actor=css2, order=late, scheduled_on=date(2026, 11, 5), technician=technician)
    fieldwork.order_void(actor=css2, order=order(hanger, date(2026, 11, 6)), reason="Paid")
    order(hanger, date(2026, 11, 20))  # open, not scheduled, requested 10 days before the end: overdue
    order(hanger, date(2026, 11, 28))  # open, requested 2 days before the end: not overdue

    result = registry.get("service_orders").run(
        {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}
    )
    assert list(result.rows) == [
        ("Door-hanger delivery (48-hour notice)", "", 3, 2, 1, 0, 1),
        ("Leak or high-usage check", "tech_ana", 2, 1, 1, 1, 0),
        ("Turn-on", "", 1, 1, 1, 0, 0),  # the start of service's order, never scheduled
    ]
    assert result.totals == {"requested": 6, "open": 4, "overdue": 3, "completed": 1, "voided": 1}
    mine = registry.get("service_orders").run(
        {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30), "technician": "tech_ana"}
    )
    assert [r[1] for r in mine.rows] == ["tech_ana"]
    leaks = registry.get("service_orders").run(
        {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30), "order_type": "leak_check"}
    )
    assert [r[0] for r in leaks.rows] == ["Leak or high-usage check"]


def test_customers_enrolled_in_the_programs(start_account, css2, customer_factory):
    poor = start_account(customer=customer_factory(name="Ana Ruiz"))
    ill = start_account(customer=customer_factory(name="Bo Chen"))
    ended = start_account(customer=customer_factory(name="Cy Diaz"))
    customers.flag_add(actor=css2, account=poor, kind="low_income", starts_on=date(2026, 1, 1), expires_on=None,
                       reason="CARE enrolled")  # fmt: skip
    customers.flag_add(actor=css2, account=ill, kind="medical", starts_on=date(2026, 6, 1),
                       expires_on=date(2027, 6, 1), reason="Dr. Patel")  # fmt: skip
    customers.flag_add(actor=css2, account=ended, kind="low_income", starts_on=date(2025, 1, 1),
                       expires_on=date(2026, 3, 1), reason="Lapsed")  # fmt: skip
    result = registry.get("assistance").run({"date_from": date(2026, 1, 1), "date_to": date(2026, 11, 30)})
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in result.rows] == [
        ("Low-income", poor.number, "Ana Ruiz", date(2026, 1, 1), None),
        ("Medical certification", ill.number, "Bo Chen", date(2026, 6, 1), date(2027, 6, 1)),
    ]
    only = registry.get("assistance").run(
        {
            "date_from": date(2026, 1, 1),
            "date_to": date(2026, 11, 30),
            "program": "medical",
            "sort": "-account",
        }
    )
    assert [r[1] for r in only.rows] == [ill.number]
