"""Payment arrangements: the past-due balance spread over monthly installments, kept (nothing past due, no
notice, no late fee), broken (60 days unpaid: a final notice posted at the property, then a shutoff no sooner
than 5 business days after), cancelled (the charges due as they were), and the installment on the bill."""

from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from cistern.collections import amortization, arrangements, selectors, services
from cistern.collections.models import ArrangementStatus, Notice, NoticeKind
from cistern.core import clock, roles
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import ServiceOrder
from cistern.ledger.models import JournalEntry
from tests.billing.conftest import district, metered_account, supervisor  # noqa: F401

from .test_run import _bill, _pay, _run


def test_installments_sum_to_the_balance_and_fall_monthly():
    plan = amortization.installments(D("1000.00"), 3, date(2027, 1, 31))
    assert [(i.number, i.due, i.amount) for i in plan] == [
        (1, date(2027, 1, 31), D("333.33")), (2, date(2027, 2, 28), D("333.33")), (3, date(2027, 3, 31), D("333.34")),
    ]  # fmt: skip
    assert amortization.plan_problems(D("100.00"), 13, date(2027, 1, 5), date(2027, 1, 1)) == [
        "An arrangement has 1 to 12 installments; 13 asked."
    ]
    assert amortization.plan_problems(D("0.00"), 3, date(2026, 12, 1), date(2027, 1, 1)) == [
        "Nothing is past due: there is no balance to arrange.",
        "The first installment falls due on or after today (01/01/2027).",
    ]


@pytest.mark.django_db
def test_a_kept_arrangement_stops_notices_and_late_fees(biller, css1, active):
    account = active()
    _bill(biller, account, "312.40")  # due 09/25/2026
    with clock.on(date(2026, 10, 20)):
        made = arrangements.arrangement_create(
            actor=css1, account=account, installments=3, first_due=date(2026, 11, 15), on=date(2026, 10, 20),
            reason="Customer asked to spread the balance",
        )  # fmt: skip
    assert (made.amount, made.installment_count) == (D("312.40"), 3)
    assert [(i.due_on, i.amount) for i in made.installments.all()] == [
        (date(2026, 11, 15), D("104.13")), (date(2026, 12, 15), D("104.13")), (date(2027, 1, 15), D("104.14")),
    ]  # fmt: skip
    assert arrangements.past_due_on(account, date(2026, 10, 26)) == D("0.00")
    result = _run(biller, date(2026, 10, 26))
    assert (result.counts["late_fees"], result.counts["notices"]) == (0, 0)
    _pay(biller, account, "104.13", date(2026, 11, 14))
    _run(biller, date(2026, 11, 30))
    assert not Notice.objects.filter(kind=NoticeKind.SHUTOFF).exists()
    assert not JournalEntry.objects.filter(source_kind="late_fee").exists()
    bill = SimpleNamespace(
        account_id=account.pk, bill_date=date(2026, 11, 20), due_date=date(2026, 12, 10), language="en"
    )
    assert arrangements.bill_lines(bill) == [
        "Payment arrangement: installment 2 of 3, $104.13, is due 12/15/2026; $104.14 is left on the arrangement "
        "after it. Pay this bill's new charges and the installment by the due date to keep it."
    ]
    _pay(biller, account, "208.27", date(2027, 1, 10))
    done = _run(biller, date(2027, 1, 18))
    assert done.counts["arrangements_completed"] == 1
    made.refresh_from_db()
    assert (made.status, made.ended_on) == (ArrangementStatus.COMPLETED, date(2027, 1, 18))


@pytest.mark.django_db
def test_a_broken_arrangement_needs_a_final_notice_posted_five_business_days_before(
    biller, css1, active, make_user
):
    lead, technician = make_user(roles.CSS_II, "lead_arr"), make_user(roles.FIELD_TECHNICIAN, "tech_arr")
    account = active()
    _bill(biller, account, "312.40")
    with clock.on(date(2026, 10, 20)):
        made = arrangements.arrangement_create(
            actor=css1, account=account, installments=3, first_due=date(2026, 11, 16), on=date(2026, 10, 20),
            reason="Customer asked",
        )  # fmt: skip
    # Installment 1 (due Monday 11/16) is never paid: missed from 11/17; 60 days later, 01/16/2027.
    early = _run(biller, date(2027, 1, 15))
    assert early.counts["arrangements_broken"] == 0 and early.counts["final_notices"] == 0
    decision = selectors.decision_for(account, date(2027, 1, 15))
    assert not decision.shutoff_allowed
    # The policy asks for both (the stricter reading): a shutoff notice for the new delinquency, then the final
    # notice posted at the property.
    broken = _run(biller, date(2027, 1, 19))  # Tuesday (Martin Luther King Day is not loaded here)
    assert broken.counts["arrangements_broken"] == 1 and broken.counts["notices"] == 1
    made.refresh_from_db()
    assert made.status == ArrangementStatus.DEFAULTED
    assert _run(biller, date(2027, 1, 20)).counts["final_notices"] == 1
    notice = Notice.objects.get(kind=NoticeKind.FINAL)
    order = ServiceOrder.objects.get(pk=notice.order_id)
    assert order.order_type.code == "door_hanger" and "Final notice" in order.notes
    order = fieldwork.order_schedule(
        actor=lead, order=order, scheduled_on=date(2027, 1, 21), technician=technician
    )
    order = fieldwork.order_dispatch(actor=lead, order=order)
    fieldwork.order_complete(actor=technician, order=order,
                             completion=fieldwork.Completion(on=date(2027, 1, 21), field_notes="Posted"))  # fmt: skip
    decision = selectors.decision_for(account, date(2027, 1, 21))
    assert not decision.shutoff_allowed
    # Five business days after the final notice (01/28) and ten days after the shutoff notice (01/29): the later.
    assert decision.earliest_shutoff == date(2027, 1, 29)
    assert selectors.decision_for(account, date(2027, 1, 29)).shutoff_allowed


@pytest.mark.django_db
def test_cancelling_puts_the_charges_back_and_only_the_right_roles_may(biller, css1, active, make_user):
    cashier, lead = make_user(roles.CASHIER, "cash_arr"), make_user(roles.CSS_II, "lead_arr2")
    account = active()
    _bill(biller, account, "150.00")
    with pytest.raises(PermissionDenied):
        arrangements.arrangement_create(actor=cashier, account=account, installments=2, first_due=date(2026, 11, 15),
                                        on=date(2026, 10, 20), reason="x")  # fmt: skip
    made = arrangements.arrangement_create(actor=css1, account=account, installments=2, first_due=date(2026, 11, 15),
                                           on=date(2026, 10, 20), reason="Customer asked")  # fmt: skip
    with pytest.raises(arrangements.ArrangementError, match="already has an arrangement"):
        arrangements.arrangement_create(actor=css1, account=account, installments=2, first_due=date(2026, 11, 15),
                                        on=date(2026, 10, 20), reason="again")  # fmt: skip
    with pytest.raises(PermissionDenied):
        arrangements.arrangement_cancel(actor=css1, arrangement=made, on=date(2026, 10, 21), reason="error")
    arrangements.arrangement_cancel(
        actor=lead, arrangement=made, on=date(2026, 10, 21), reason="Made in error"
    )
    assert arrangements.past_due_on(account, date(2026, 10, 22)) == D("150.00")
    facts = selectors.facts_for([account.pk], date(2026, 10, 22))[account.pk]
    assert facts.arrangements[0].cancelled_on == date(2026, 10, 21)
    assert _run(biller, date(2026, 10, 26)).counts["notices"] == 1


@pytest.mark.django_db
def test_an_arrangement_on_a_locked_off_account_reconnects_it(biller, css1, css2, metered_account, make_user):  # noqa: F811
    technician = make_user(roles.FIELD_TECHNICIAN, "tech_arr3")
    account = metered_account()
    _bill(biller, account, "312.40")
    _run(biller, date(2026, 10, 26))
    listed = _run(biller, date(2026, 11, 25)).lockoff_list
    with clock.on(date(2026, 11, 25)):
        (order,) = services.lockoff_list_confirm(actor=css2, lockoff_list=listed).orders
    order = fieldwork.order_schedule(
        actor=css2, order=order, scheduled_on=date(2026, 11, 25), technician=technician
    )
    order = fieldwork.order_dispatch(actor=css2, order=order)
    fieldwork.order_complete(
        actor=technician,
        order=order,
        completion=fieldwork.Completion(on=date(2026, 11, 25), read_value="100"),
    )
    assert selectors.locked_off_accounts([account.pk]) == {account.pk}
    with clock.on(date(2026, 11, 30)):
        arrangements.arrangement_create(actor=css1, account=account, installments=6, first_due=date(2026, 12, 20),
                                        on=date(2026, 11, 30), reason="Customer asked; water off")  # fmt: skip
    reconnect = ServiceOrder.objects.get(account=account, order_type__code="reconnect")
    assert reconnect.origin == "collections" and reconnect.requested_on >= date(2026, 11, 30)
