"""The daily collection run and the lock-off list, through the services, on a district's real rows: a bill goes
unpaid and gets, day by day, a reminder, a late fee, a shutoff notice (with the occupant's copy where the
mailing address is not the service address), a place on the lock-off list and, once a lead confirms, a
lock-off order. Running a day twice sends nothing twice."""

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from cistern.collections import selectors, services
from cistern.collections.models import CollectionRun, LockoffCandidate, LockoffList, Notice, NoticeKind
from cistern.core import clock, roles
from cistern.core.services import suspension_add
from cistern.correspondence.models import Correspondence
from cistern.fieldwork import services as fieldwork
from cistern.fieldwork.models import ServiceOrder
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import Posting, journal_post

DUE = date(2026, 9, 25)  # a Friday; delinquent from Saturday 09/26


def _bill(actor, account, amount, due=DUE):
    return journal_post(
        actor=actor, entry_date=date.fromordinal(due.toordinal() - 20), memo="Water bill", source_kind="bill",
        postings=[Posting("1200", D(amount), account.pk, due_date=due), Posting("4110", -D(amount))],
    )  # fmt: skip


def _pay(actor, account, amount, on):
    journal_post(
        actor=actor, entry_date=on, memo="Payment", source_kind="payment",
        postings=[Posting("1010", D(amount)), Posting("1200", -D(amount), account.pk)],
    )  # fmt: skip


def _run(actor, on, **kwargs):
    with clock.on(on):
        return services.collections_run(actor=actor, on=on, **kwargs)


@pytest.mark.django_db
def test_an_unpaid_bill_goes_from_reminder_to_a_lock_off_order(biller, css2, active, customer_factory):
    away = customer_factory(name="Dana Reyes", mailing_street="PO Box 77", mailing_city="Yucca Valley",
                            mailing_zip="92284")  # fmt: skip
    unpaid, paid = active(customer=away), active()
    _bill(biller, unpaid, "312.40")
    _bill(biller, paid, "80.00")
    _pay(biller, paid, "80.00", date(2026, 9, 20))

    first = _run(biller, date(2026, 10, 5))  # 10 days after the due date
    assert (first.counts["accounts"], first.counts["reminders"], first.counts["notices"]) == (1, 1, 0)
    reminder = Notice.objects.get(account=unpaid)
    assert (reminder.kind, reminder.delinquent_since, reminder.amount) == (
        NoticeKind.REMINDER,
        date(2026, 9, 26),
        D("312.40"),
    )
    assert reminder.correspondence.recipient_name == "Dana Reyes"
    assert "312.40" in reminder.correspondence.body

    again = _run(biller, date(2026, 10, 5))
    assert (
        again.counts["reminders"] == 0 and Notice.objects.count() == 1 and Correspondence.objects.count() == 1
    )

    notice_day = _run(biller, date(2026, 10, 26))  # a Monday, 31 days after the due date
    assert notice_day.counts["late_fees"] == 1
    assert (notice_day.counts["notices"], notice_day.counts["occupant_notices"]) == (1, 1)
    shutoff = Notice.objects.get(account=unpaid, kind=NoticeKind.SHUTOFF)
    # The 60 days of delinquency bind: 09/26 + 60 = 11/25 (later than 7 business days or 10 days after 10/26).
    assert shutoff.shutoff_on == date(2026, 11, 25)
    assert shutoff.amount == D("312.40")  # the late fee charged today ($31.24) is not yet past due
    occupant = Notice.objects.get(account=unpaid, kind=NoticeKind.OCCUPANT)
    assert occupant.correspondence.recipient_name == "Occupant"
    assert (
        Correspondence.objects.filter(account=unpaid, recipient_name="Occupant").count() == 2
    )  # English, Spanish

    early = _run(biller, date(2026, 11, 24))  # the day before the date the notice states
    assert early.counts["lockoff_candidates"] == 0
    on_the_day = _run(biller, date(2026, 11, 25))
    assert (on_the_day.counts["lockoff_candidates"], on_the_day.counts["excluded"]) == (1, 0)
    candidate = LockoffCandidate.objects.get(lockoff_list__day=date(2026, 11, 25))
    assert (candidate.account_id, candidate.amount, candidate.days_delinquent) == (
        unpaid.pk,
        D("343.64"),
        61,
    )  # with the late fee
    assert {row["rule"] for row in candidate.trace} >= {
        "delinquent_60_days",
        "shutoff_notice",
        "business_day",
    }
    assert all(row["passed"] for row in candidate.trace)

    with clock.on(date(2026, 11, 25)):
        done = services.lockoff_list_confirm(actor=css2, lockoff_list=candidate.lockoff_list)
    (order,) = done.orders
    assert (order.order_type.code, order.origin, order.account_id, order.requested_on) == (
        "lock_off", "collections", unpaid.pk, date(2026, 11, 25),
    )  # fmt: skip
    assert LockoffList.objects.get(day=date(2026, 11, 25)).status == "confirmed"
    assert CollectionRun.objects.filter(dry_run=False).count() == 5


@pytest.mark.django_db
def test_a_payment_before_confirmation_sets_the_account_aside(biller, css2, active):
    account = active()
    _bill(biller, account, "120.00")
    _run(biller, date(2026, 10, 26))
    listed = _run(biller, date(2026, 11, 25)).lockoff_list
    assert listed.candidates.get().included
    _pay(biller, account, "132.00", date(2026, 11, 25))  # the bill and its $12.00 late fee, that morning
    with clock.on(date(2026, 11, 25)):
        done = services.lockoff_list_confirm(actor=css2, lockoff_list=listed)
    assert done.orders == [] and done.set_aside[0][0] == account.number
    assert not ServiceOrder.objects.filter(order_type__code="lock_off").exists()


@pytest.mark.django_db
def test_a_dispute_excludes_the_account_with_its_reason(biller, css2, active):
    account = active()
    _bill(biller, account, "120.00")
    _run(biller, date(2026, 10, 26))
    services.hold_open(actor=css2, account=account, kind="dispute", starts_on=date(2026, 11, 2),
                       reason="Customer says the meter was misread")  # fmt: skip
    result = _run(biller, date(2026, 11, 25))
    candidate = result.lockoff_list.candidates.get()
    assert not candidate.included and "dispute" in candidate.reason.lower()
    assert result.counts["excluded"] == 1


@pytest.mark.django_db
def test_no_code_path_creates_a_lock_off_order_the_policy_refuses(biller, css2, active, make_user):
    """The order form, the API and the confirmation all go through field work's order creation; it asks the
    policy. Here: a delinquent account whose notice has not run its course, an account not delinquent at all."""
    supervisor = make_user(roles.SUPERVISOR, username="sup_guard")
    owing, clear = active(), active()
    _bill(biller, owing, "400.00")
    _run(biller, date(2026, 10, 26))
    lock_off = fieldwork.order_type_get("lock_off")
    for account, day in (
        (owing, date(2026, 11, 10)),
        (clear, date(2026, 11, 25)),
        (owing, date(2026, 11, 28)),
    ):
        with pytest.raises(fieldwork.FieldworkError, match="No lock-off on"):
            fieldwork.order_create(actor=supervisor, order_type=lock_off, premise=account.premise, account=account,
                                   requested_on=day)  # fmt: skip
        with pytest.raises(fieldwork.FieldworkError, match="No lock-off on"):
            fieldwork.orders_for_collections(
                actor=supervisor,
                specs=[
                    {
                        "order_type": lock_off,
                        "premise": account.premise,
                        "account": account,
                        "requested_on": day,
                    }
                ],
            )
    assert not ServiceOrder.objects.filter(order_type=lock_off).exists()
    # On the day the policy allows it, the same call makes the order; moving it to a refused day is refused.
    order = fieldwork.order_create(actor=supervisor, order_type=lock_off, premise=owing.premise, account=owing,
                                   requested_on=date(2026, 11, 25))  # fmt: skip
    with pytest.raises(fieldwork.FieldworkError, match="Saturday|business day|closed"):
        fieldwork.order_schedule(actor=supervisor, order=order, scheduled_on=date(2026, 11, 28))


@pytest.mark.django_db
def test_a_district_suspension_stops_late_fees_and_shutoffs(biller, make_user, active):
    supervisor = make_user(roles.SUPERVISOR, username="sup_susp")
    account = active()
    _bill(biller, account, "312.40")
    suspension_add(actor=supervisor, starts_on=date(2026, 10, 20), ends_on=date(2026, 12, 31),
                   reason="Board resolution 2026-14: wildfire emergency")  # fmt: skip
    result = _run(biller, date(2026, 10, 26))
    assert (
        result.counts["late_fees"] == 0 and not JournalEntry.objects.filter(source_kind="late_fee").exists()
    )
    assert result.counts["notices"] == 0
    decision = selectors.decision_for(account, date(2026, 11, 25))
    assert not decision.shutoff_allowed
    assert decision.earliest_shutoff is not None and decision.earliest_shutoff > date(2026, 12, 31)


@pytest.mark.django_db
def test_a_dry_run_counts_and_keeps_nothing(biller, active):
    account = active()
    _bill(biller, account, "312.40")
    result = _run(biller, date(2026, 10, 26), dry_run=True)
    assert (result.counts["late_fees"], result.counts["notices"]) == (1, 1)
    assert not Notice.objects.exists() and not Correspondence.objects.exists()
    assert not JournalEntry.objects.filter(source_kind="late_fee").exists()


@pytest.mark.django_db
def test_the_command_prints_one_line_of_counts(biller, active):
    account = active()
    _bill(biller, account, "312.40")
    out = StringIO()
    call_command("collections_run", "--on", "2026-10-05", "--user", biller.username, stdout=out)
    assert out.getvalue().strip() == (
        "Collections 10/05/2026: 1 past-due accounts, 0 late fees, 1 reminders, 0 shutoff notices, "
        "0 occupant notices, 0 door-hangers, 0 final notices, 0 final-bill notices, 0 arrangements to offer, "
        "0 lock-off candidates, 0 excluded."
    )
