"""The team's task calendar, derived from the bill cycles and the district's settings: read days, bill print,
bills due, late penalties, past-due reminders, shutoff notices, lock-off lists, and the days scheduled
change-out and special-program orders go out. Nothing here is stored: the calendar is worked out again from the
cycles and settings each time, so a changed cycle or setting moves its days at once.

Pure: plain values in and out, no ORM. `schedule.selectors` gathers the facts (`Cycle`, `Run`, `Rules`,
`OrderDay`) and passes the district's BusinessCalendar and billing's own `bill_date_for`. The collection days
follow the collection run (collections/services.py): the late penalty is assessed every day, so on the penalty
day itself (`due + after_days`, never inside a suspension of late fees); letters are mailed and lock-off lists
proposed only on business days, so a reminder or notice falling on a closed day goes out the next business day;
the lock-off day is the shutoff date the notice states (`collections.policy.shutoff_date_for_notice`), always a
business day, never a weekend, holiday or closure day.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta

from cistern.collections import policy
from cistern.core.calendar import BusinessCalendar

READ = "read"
BILL_PRINT = "bill_print"
DUE = "due"
PENALTY = "penalty"
REMINDER = "reminder"
NOTICE = "notice"
LOCKOFF = "lockoff"
CHANGE_OUT = "change_out"
PROGRAM = "program"

# Every kind of event the calendar shows (the manual kinds are the models' EventKind): code -> label.
DERIVED_KINDS = {
    READ: "Meter reading",
    BILL_PRINT: "Bill print",
    DUE: "Bills due",
    PENALTY: "Late penalties",
    REMINDER: "Past-due reminders mailed",
    NOTICE: "Shutoff notices mailed",
    LOCKOFF: "Lock-off list",
    CHANGE_OUT: "Meter change-outs",
    PROGRAM: "Special program",
}
# How far before a period's read day its last step (the lock-off) can fall: read, bill, due, notice, lock-off.
LOOKBACK_MONTHS = 5
UID_DOMAIN = "schedule.cistern"


@dataclass(frozen=True)
class Cycle:
    id: int
    code: str
    name: str
    read_day: int  # 1-28
    bill_day: int  # 1-28


@dataclass(frozen=True)
class Run:
    """A bill run the cycle has (not cancelled): its period end, bill date and due date are facts."""

    cycle_id: int
    period_end: date
    bill_date: date
    due_date: date


@dataclass(frozen=True)
class Rules:
    bill_due_days: int
    due_on_business_day: bool
    penalty_after_days: int | None  # the fee catalog's late penalty; None: no penalty in force
    collections: policy.Settings
    late_fee_suspensions: tuple[tuple[date, date], ...] = ()  # first and last day


@dataclass(frozen=True)
class OrderDay:
    """Service orders of one type scheduled on a day (change-outs, or a special program's orders)."""

    day: date
    type_code: str
    type_name: str
    count: int
    program: bool  # created by a special program


@dataclass(frozen=True)
class Event:
    uid: str
    kind: str
    title: str
    day: date
    at: time | None = None  # None: all day
    note: str = ""
    user_id: int | None = None  # a person's own event; None: the team's
    derived: bool = True
    pk: int | None = None  # a manual event's row


@dataclass(frozen=True)
class Period:
    cycle: Cycle
    period_end: date  # the read day
    bill_date: date
    due_date: date
    known: bool  # from a bill run; False: projected from the cycle's days


def _month_add(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def read_day_in(cycle: Cycle, month: date, calendar: BusinessCalendar) -> date:
    """The cycle's read day in `month`: its day of the month, moved back to the business day before when the
    office is closed then (meters are read on working days: a Saturday or Sunday read day is the Friday, as
    the demo district's readers do)."""
    day = month.replace(day=cycle.read_day)
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day


def due_date(bill_date: date, rules: Rules, calendar: BusinessCalendar) -> date:
    """A bill's due date (core.selectors.due_date_for's rule, on the rules passed in)."""
    due = bill_date + timedelta(days=rules.bill_due_days)
    return calendar.business_day_on_or_after(due) if rules.due_on_business_day else due


def periods(
    cycles: Iterable[Cycle], runs: Iterable[Run], rules: Rules, calendar: BusinessCalendar, start: date,
    end: date, *, bill_date_for: Callable[[Cycle, date], date],
) -> list[Period]:  # fmt: skip
    """Each cycle's periods whose steps can fall between `start` and `end`: a month with a bill run takes the
    run's dates; the others are projected (read day, `bill_date_for` = billing.runs.bill_date_for, due date)."""
    by_cycle: dict[int, list[Run]] = {}
    for run in runs:
        by_cycle.setdefault(run.cycle_id, []).append(run)
    found = []
    first = _month_add(start, -LOOKBACK_MONTHS)
    for cycle in cycles:
        month = first
        while month <= _month_add(end, 1):  # a next month's read day can move back into range
            read = read_day_in(cycle, month, calendar)
            # A run's period end is this month's read day, give or take a reader's moved day.
            run = next((r for r in by_cycle.get(cycle.id, ()) if abs((r.period_end - read).days) <= 10), None)
            if run is not None:
                found.append(Period(cycle, run.period_end, run.bill_date, run.due_date, True))
            else:
                bill = bill_date_for(cycle, read)
                found.append(Period(cycle, read, bill, due_date(bill, rules, calendar), False))
            month = _month_add(month, 1)
    return found


def print_day(bill_date: date, calendar: BusinessCalendar) -> date:
    """Bills are printed for mailing on their bill date, or the business day before when the office is closed."""
    day = bill_date
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day


def penalty_day(due: date, rules: Rules) -> date | None:
    """The day the late penalty is charged on a bill still open: `after_days` after its due date (the run
    assesses late fees every day); None when no penalty is in force or the day falls in a suspension."""
    if rules.penalty_after_days is None:
        return None
    day = due + timedelta(days=rules.penalty_after_days)
    if any(first <= day <= last for first, last in rules.late_fee_suspensions):
        return None
    return day


def reminder_day(due: date, settings: policy.Settings, calendar: BusinessCalendar) -> date:
    """The past-due reminder goes out `reminder_days` after the due date, on a business day (the run mails
    letters only on days the office is open)."""
    return calendar.business_day_on_or_after(due + timedelta(days=settings.reminder_days))


def _shutoffs_suspended(settings: policy.Settings, day: date) -> policy.Suspension | None:
    return next((s for s in settings.suspensions if s.shutoffs and s.starts_on <= day <= s.ends_on), None)


def notice_day(due: date, settings: policy.Settings, calendar: BusinessCalendar) -> date:
    """The shutoff notice is mailed `notice_days` after the due date, on a business day, never while shutoffs
    are suspended (the notice announces one: it waits for the suspension to end)."""
    day = calendar.business_day_on_or_after(due + timedelta(days=settings.notice_days))
    while (suspension := _shutoffs_suspended(settings, day)) is not None:
        day = calendar.business_day_on_or_after(suspension.ends_on + timedelta(days=1))
    return day


def lockoff_day(due: date, settings: policy.Settings, calendar: BusinessCalendar) -> date:
    """The lock-off list's day for a bill unpaid: the shutoff date its notice states (the policy's own rule:
    delinquent long enough, notice far enough ahead, a business day, not in a suspension)."""
    mailed = notice_day(due, settings, calendar)
    return policy.shutoff_date_for_notice(mailed, due + timedelta(days=1), settings, calendar)


def _uid(kind: str, key: str, day: date) -> str:
    return f"{kind}-{key}-{day:%Y%m%d}@{UID_DOMAIN}"


def cycle_events(period: Period, rules: Rules, calendar: BusinessCalendar) -> list[Event]:
    """The steps of one cycle's period, each with a UID that stays the same as long as its read day does."""
    settings = rules.collections.lawful()[0]
    cycle, due = period.cycle, period.due_date
    key = f"c{cycle.id}"
    label = f"{cycle.code}"
    about = f"{cycle.code} {cycle.name}: period ending {period.period_end:%m/%d/%Y}, bills dated " + (
        f"{period.bill_date:%m/%d/%Y}, due {due:%m/%d/%Y}" + ("" if period.known else " (projected)")
    )
    steps = [
        (READ, period.period_end, f"Read {label}"),
        (BILL_PRINT, print_day(period.bill_date, calendar), f"Bill print {label}"),
        (DUE, due, f"Bills due {label}"),
        (PENALTY, penalty_day(due, rules), f"Late penalties {label}"),
        (REMINDER, reminder_day(due, settings, calendar), f"Reminders {label}"),
        (NOTICE, notice_day(due, settings, calendar), f"Shutoff notices {label}"),
        (LOCKOFF, lockoff_day(due, settings, calendar), f"Lock-off list {label}"),
    ]
    return [Event(uid=_uid(kind, key, period.period_end), kind=kind, title=title, day=day, note=about)
            for kind, day, title in steps if day is not None]  # fmt: skip


def order_events(days: Iterable[OrderDay]) -> list[Event]:
    found = []
    for row in days:
        kind = CHANGE_OUT if row.type_code == "meter_change" else PROGRAM
        title = f"{row.type_name}: {row.count} order{'s' if row.count != 1 else ''}"
        note = "Scheduled service orders" + (" from a special program" if row.program else "")
        found.append(
            Event(uid=_uid(kind, row.type_code, row.day), kind=kind, title=title, day=row.day, note=note)
        )
    return found


def derive(
    cycles: Iterable[Cycle], runs: Iterable[Run], rules: Rules, calendar: BusinessCalendar, start: date, end: date,
    *, bill_date_for: Callable[[Cycle, date], date], orders: Iterable[OrderDay] = (),
) -> list[Event]:  # fmt: skip
    """Every derived event from `start` through `end`, by day, then kind, then title."""
    found = []
    for period in periods(cycles, runs, rules, calendar, start, end, bill_date_for=bill_date_for):
        found.extend(e for e in cycle_events(period, rules, calendar) if start <= e.day <= end)
    found.extend(e for e in order_events(orders) if start <= e.day <= end)
    return sort_events(found)


KIND_ORDER = {kind: n for n, kind in enumerate(DERIVED_KINDS)}


def sort_events(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.day, e.at or time.min, KIND_ORDER.get(e.kind, 99), e.title, e.uid))
