"""The task calendar worked out from plain values: a cycle's read days, bill print, due, penalty, reminder,
notice and lock-off days, to the day."""

from datetime import date

from cistern.billing.runs import bill_date_for
from cistern.collections import policy
from cistern.core.calendar import BusinessCalendar
from cistern.schedule import derive

HOLIDAYS = {
    date(2026, 11, 26): "Thanksgiving Day",
    date(2026, 11, 27): "Day after Thanksgiving",
    date(2026, 12, 25): "Christmas Day",
    date(2027, 1, 1): "New Year's Day",
    date(2027, 1, 18): "Martin Luther King Jr. Day",
    date(2027, 2, 15): "Presidents' Day",
}
CALENDAR = BusinessCalendar.with_closures([date(2027, 3, 1)], holidays=HOLIDAYS)
RULES = derive.Rules(
    bill_due_days=20, due_on_business_day=True, penalty_after_days=30, collections=policy.Settings()
)
C01 = derive.Cycle(1, "C01", "Cycle 1", read_day=3, bill_day=6)
C12 = derive.Cycle(12, "C12", "Cycle 12", read_day=25, bill_day=28)


def events(
    cycles=(C01,), start=date(2026, 12, 1), end=date(2027, 3, 31), runs=(), rules=RULES, calendar=CALENDAR
):
    return derive.derive(cycles, runs, rules, calendar, start, end, bill_date_for=bill_date_for)


def days(found, kind, code="C01"):
    return [e.day for e in found if e.kind == kind and e.title.endswith(code)]


def test_read_days_per_cycle_to_the_day():
    found = events(cycles=(C01, C12))
    # C01 reads on the 3rd; 01/03/2027 is a Sunday and 01/01 a holiday: read on Thursday 12/31.
    assert days(found, derive.READ) == [
        date(2026, 12, 3),
        date(2026, 12, 31),
        date(2027, 2, 3),
        date(2027, 3, 3),
    ]
    # C12 reads on the 25th: Christmas Day moves it to Thursday 12/24; 04/25/2027 is out of range.
    assert days(found, derive.READ, "C12") == [
        date(2026, 12, 24), date(2027, 1, 25), date(2027, 2, 25), date(2027, 3, 25)
    ]  # fmt: skip


def test_bill_print_and_due_days():
    found = events()
    # Read 12/03 -> bills dated Sunday 12/06 (billing's bill_date_for) -> printed Friday 12/04; due 20 days after the
    # bill date, Saturday 12/26, moved to Monday 12/28 (the office is closed at the weekend).
    assert days(found, derive.BILL_PRINT)[0] == date(2026, 12, 4)
    assert days(found, derive.DUE)[0] == date(2026, 12, 28)
    # Read 12/31 -> bills dated 01/06 (a Wednesday, printed that day) -> due 01/26.
    assert days(found, derive.BILL_PRINT)[1] == date(2027, 1, 6)
    assert days(found, derive.DUE)[1] == date(2027, 1, 26)


def test_penalty_reminder_notice_and_lockoff_days():
    found = events(start=date(2026, 12, 28), end=date(2027, 3, 31))
    period = "c1-20261203@"  # the period read on 12/03/2026, due 12/28
    mine = {e.kind: e.day for e in found if period in e.uid}
    assert mine == {
        derive.DUE: date(2026, 12, 28),
        derive.PENALTY: date(2027, 1, 27),  # due + 30 days (late fees are assessed every day)
        derive.REMINDER: date(2027, 1, 7),  # due + 10, a Thursday
        derive.NOTICE: date(2027, 1, 27),  # due + 30, a Wednesday
        # Delinquent from 12/29: 60 days is Saturday 02/27; Monday 03/01 is a closure day: Tuesday 03/02.
        derive.LOCKOFF: date(2027, 3, 2),
    }


def test_notice_on_a_closed_day_goes_out_the_next_business_day():
    rules = derive.Rules(
        bill_due_days=20, due_on_business_day=True, penalty_after_days=None,
        collections=policy.Settings(reminder_days=10, notice_days=20),
    )  # fmt: skip
    # Due 01/26/2027 (read 12/31): the reminder 10 days later, Friday 02/05; the notice 20 days later, 02/15.
    found = events(start=date(2027, 1, 1), end=date(2027, 4, 30), rules=rules)
    mine = {e.kind: e.day for e in found if "c1-20261231@" in e.uid}
    assert mine[derive.REMINDER] == date(2027, 2, 5)
    assert mine[derive.NOTICE] == date(2027, 2, 16)  # 02/15 is Presidents' Day: the notice waits a day
    assert derive.PENALTY not in mine  # no late penalty in the fee catalog: no penalty day


def test_a_lockoff_day_is_never_a_weekend_holiday_or_closure_day():
    cycles = [
        derive.Cycle(n, f"C{n:02d}", f"Cycle {n}", read_day=n, bill_day=min(28, n + 3)) for n in range(1, 29)
    ]
    closures = [date(2027, 3, 1), date(2027, 3, 2), date(2027, 4, 9), date(2027, 6, 4), date(2027, 8, 13)]
    calendar = BusinessCalendar.with_closures(closures, holidays=HOLIDAYS)
    found = events(cycles=cycles, start=date(2027, 1, 1), end=date(2027, 12, 31), calendar=calendar)
    lockoffs = [e.day for e in found if e.kind == derive.LOCKOFF]
    assert len(lockoffs) >= 28 * 11
    for day in lockoffs:
        assert day.weekday() < 5 and day not in HOLIDAYS and day not in closures, day
    notices = [e.day for e in found if e.kind in (derive.NOTICE, derive.REMINDER)]
    assert all(calendar.is_business_day(day) for day in notices)


def test_shutoffs_suspended_move_the_notice_and_the_lockoff_after_the_suspension():
    suspension = policy.Suspension(date(2027, 1, 20), date(2027, 2, 10))
    rules = derive.Rules(
        bill_due_days=20, due_on_business_day=True, penalty_after_days=30,
        collections=policy.Settings(suspensions=(suspension,)), late_fee_suspensions=((date(2027, 1, 20), date(2027, 2, 10)),),
    )  # fmt: skip
    found = events(start=date(2026, 12, 28), end=date(2027, 4, 30), rules=rules)
    mine = {e.kind: e.day for e in found if "c1-20261203@" in e.uid}
    assert mine[derive.NOTICE] == date(2027, 2, 11)  # the first business day after the suspension
    assert derive.PENALTY not in mine  # 01/27 falls in the suspension of late fees: never charged
    # Mailed 02/11: 7 business days is 02/23 (02/15 a holiday), 10 days 02/21; delinquent 60 days 02/27 -> 03/02.
    assert mine[derive.LOCKOFF] == date(2027, 3, 2)


def test_a_bill_run_s_dates_are_the_facts_for_its_month():
    run = derive.Run(
        cycle_id=1, period_end=date(2026, 12, 2), bill_date=date(2026, 12, 7), due_date=date(2026, 12, 29)
    )
    found = events(runs=[run], end=date(2026, 12, 31))
    assert days(found, derive.READ) == [date(2026, 12, 2), date(2026, 12, 31)]
    assert days(found, derive.BILL_PRINT)[0] == date(2026, 12, 7)
    assert days(found, derive.DUE) == [date(2026, 12, 29)]
    note = next(e.note for e in found if e.kind == derive.READ and e.day == date(2026, 12, 2))
    assert "(projected)" not in note
    assert "(projected)" in next(e.note for e in found if e.day == date(2026, 12, 31))


def test_uids_are_stable_and_unique():
    once, again = events(cycles=(C01, C12)), events(cycles=(C01, C12))
    assert [e.uid for e in once] == [e.uid for e in again]
    assert len({e.uid for e in once}) == len(once)
    assert next(e.uid for e in once if e.kind == derive.READ) == "read-c1-20261203@schedule.cistern"


def test_scheduled_orders_make_change_out_and_program_days():
    orders = [
        derive.OrderDay(date(2026, 12, 8), "meter_change", "Meter change-out", 4, True),
        derive.OrderDay(date(2026, 12, 9), "zero_read", "Zero-read investigation", 1, True),
    ]
    found = derive.derive([], [], RULES, CALENDAR, date(2026, 12, 1), date(2026, 12, 31),
                          bill_date_for=bill_date_for, orders=orders)  # fmt: skip
    assert [(e.kind, e.day, e.title) for e in found] == [
        (derive.CHANGE_OUT, date(2026, 12, 8), "Meter change-out: 4 orders"),
        (derive.PROGRAM, date(2026, 12, 9), "Zero-read investigation: 1 order"),
    ]
    assert found[0].uid == "change_out-meter_change-20261208@schedule.cistern"


def test_the_pure_modules_import_no_orm():
    from pathlib import Path

    from cistern.schedule import checklist, coverage, feeds

    for module in (derive, coverage, checklist, feeds):
        source = Path(module.__file__).read_text()
        assert "django" not in source and ".models" not in source, module.__name__
