"""Due dates: a bill falling due on a day the office is closed (weekend, observed holiday, closure day) is due
the next business day, when the district's setting says so (on by default)."""

from datetime import date, timedelta

import pytest

from cistern.billing import services
from cistern.billing.models import Bill, BillCycle
from cistern.core import clock, roles, selectors
from cistern.core import services as core_services
from cistern.core.models import DistrictSettings, Holiday

from .conftest import read

JUL = date(2026, 7, 25)

# (bill day, period end) -> bill date; + 20 days -> the day it lands on -> the day it is due.
CASES = [
    (15, date(2026, 11, 10), date(2026, 12, 5), date(2026, 12, 7)),  # Saturday -> Monday
    (16, date(2026, 11, 10), date(2026, 12, 6), date(2026, 12, 7)),  # Sunday -> Monday
    (6, date(2026, 11, 1), date(2026, 11, 26), date(2026, 11, 30)),  # Thanksgiving, Day After, weekend
    (20, date(2026, 11, 10), date(2026, 12, 10), date(2026, 12, 11)),  # the board's closure day -> Friday
    (17, date(2026, 11, 10), date(2026, 12, 7), date(2026, 12, 7)),  # a Monday: stays
]


@pytest.fixture
def closure(make_user):
    supervisor = make_user(roles.SUPERVISOR, username="closure_supervisor")
    core_services.closure_day_add(actor=supervisor, day=date(2026, 12, 10), reason="Board: staff training")
    return supervisor


def _runs(biller):
    runs = []
    for bill_day, period_end, lands_on, _ in CASES:
        cycle = BillCycle.objects.create(
            code=f"D{bill_day:02d}", name=f"Day {bill_day}", read_day=10, bill_day=bill_day
        )
        run = services.bill_run_create(actor=biller, cycle=cycle, period_end=period_end)
        assert run.bill_date + timedelta(days=20) == lands_on
        runs.append(run)
    return runs


def test_a_run_falling_due_on_a_closed_day_is_due_the_next_business_day(db, biller, closure):
    assert selectors.district_settings().due_on_business_day is True  # the default
    assert [run.due_date for run in _runs(biller)] == [due for *_, due in CASES]


def test_with_the_setting_off_the_due_date_is_the_plain_one(db, biller, closure):
    core_services.district_settings_update(actor=closure, due_on_business_day=False, reason="Board")
    assert [run.due_date for run in _runs(biller)] == [lands_on for _, _, lands_on, _ in CASES]


def test_the_districts_holiday_edits_move_due_dates(db, closure):
    # Thanksgiving 2026 + 1: the Day After is a state holiday; kept open, a bill due then stays.
    assert selectors.due_date_for(date(2026, 11, 7)) == date(2026, 11, 30)
    core_services.holiday_set_observed(
        actor=closure, holiday=Holiday.objects.get(day=date(2026, 11, 27)), observed=False
    )
    assert selectors.due_date_for(date(2026, 11, 7)) == date(2026, 11, 27)
    # Columbus Day, a federal holiday California skips: a bill due that Monday moves once the district observes it.
    assert selectors.due_date_for(date(2026, 9, 22)) == date(2026, 10, 12)
    core_services.holiday_set_observed(
        actor=closure, holiday=Holiday.objects.get(day=date(2026, 10, 12)), observed=True
    )
    assert selectors.due_date_for(date(2026, 9, 22)) == date(2026, 10, 13)
    DistrictSettings.objects.filter(id=1).update(bill_due_days=21)
    assert selectors.due_date_for(date(2026, 9, 22)) == date(2026, 10, 13)


def test_posted_final_and_re_bills_are_due_on_a_business_day(
    district, biller, lead, supervisor, metered_account
):
    district.bill_day = 26  # bill 07/26/2026 + 20 = Saturday 08/15
    district.save()
    account = metered_account([(JUL, "112")])
    run = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    bill = Bill.objects.get(account=account)
    assert (bill.bill_date, bill.due_date) == (date(2026, 7, 26), date(2026, 8, 17))

    with clock.on(date(2026, 8, 18)):  # + 20 = Labor Day, Monday 09/07
        rebill = services.bill_cancel(actor=lead, bill=bill, reason="Checked the read")
    assert (rebill.bill_date, rebill.due_date) == (date(2026, 8, 18), date(2026, 9, 8))

    from cistern.customers import services as customers

    customers.service_stop(
        actor=supervisor, account=account, stop_date=date(2026, 8, 10), reason="Moving away",
        forwarding={"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    read(supervisor, account.meter, date(2026, 8, 10), "115", kind="final")
    account.refresh_from_db()
    with clock.on(date(2026, 8, 30)):  # + 20 = Saturday 09/19
        final = services.bill_final(actor=supervisor, account=account)
    assert (final.kind, final.bill_date, final.due_date) == ("final", date(2026, 8, 30), date(2026, 9, 21))
