"""Reads of the schedule: the calendar's facts for derive.py (cycles, runs, rules, scheduled orders), manual
events, feeds, coverage facts for coverage.py, the checklist's records and misses."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q

from cistern.billing.models import BillCycle, BillRun, RunStatus
from cistern.billing.runs import bill_date_for
from cistern.collections import selectors as collections_selectors
from cistern.core import clock
from cistern.core import selectors as core_selectors
from cistern.core.calendar import BusinessCalendar
from cistern.fieldwork.models import OrderOrigin, OrderStatus, ServiceOrder
from cistern.rates import selectors as rates_selectors

from . import checklist, coverage, derive
from .models import (
    Assignment,
    ChecklistMiss,
    ChecklistRecord,
    ChecklistStep,
    Event,
    FeedToken,
    Leave,
    Lunch,
    Workweek,
)

# Derived days of service orders: change-outs and the orders a special program made, once scheduled.
ORDER_STATUSES = [OrderStatus.SCHEDULED, OrderStatus.DISPATCHED, OrderStatus.COMPLETED, OrderStatus.CLOSED]


def rules(on: date) -> derive.Rules:
    district = core_selectors.district_settings()
    penalty = rates_selectors.fee("late_penalty", on)
    return derive.Rules(
        bill_due_days=district.bill_due_days,
        due_on_business_day=district.due_on_business_day,
        penalty_after_days=(penalty.after_days or 0) if penalty is not None else None,
        collections=collections_selectors.policy_settings(),
        late_fee_suspensions=tuple(
            (s.starts_on, s.ends_on) for s in core_selectors.suspensions(late_fees=True)
        ),
    )


def cycles() -> list[derive.Cycle]:
    return [
        derive.Cycle(c.pk, c.code, c.name, c.read_day, c.bill_day)
        for c in BillCycle.objects.filter(active=True).order_by("code")
    ]


def runs(start: date, end: date) -> list[derive.Run]:
    first = start - timedelta(days=31 * (derive.LOOKBACK_MONTHS + 1))
    rows = (
        BillRun.objects.filter(period_end__gte=first, period_end__lte=end + timedelta(days=31))
        .exclude(status=RunStatus.CANCELLED)
        .values_list("cycle_id", "period_end", "bill_date", "due_date")
    )
    return [derive.Run(*row) for row in rows]


def order_days(start: date, end: date) -> list[derive.OrderDay]:
    rows = (
        ServiceOrder.objects.filter(scheduled_on__gte=start, scheduled_on__lte=end, status__in=ORDER_STATUSES)
        .filter(Q(order_type__code="meter_change") | Q(origin=OrderOrigin.PROGRAM))
        .values("scheduled_on", "order_type__code", "order_type__name")
        .annotate(count=Count("id"), programs=Count("id", filter=Q(origin=OrderOrigin.PROGRAM)))
        .order_by("scheduled_on", "order_type__code")
    )
    return [
        derive.OrderDay(
            r["scheduled_on"], r["order_type__code"], r["order_type__name"], r["count"], r["programs"] > 0
        )
        for r in rows
    ]


def derived_events(start: date, end: date, calendar: BusinessCalendar | None = None) -> list[derive.Event]:
    """The task calendar's derived days from `start` through `end` (a dozen queries whatever the span)."""
    calendar = calendar or core_selectors.district_calendar()
    return derive.derive(
        cycles(), runs(start, end), rules(clock.today()), calendar, start, end,
        bill_date_for=bill_date_for, orders=order_days(start, end),
    )  # fmt: skip


def as_event(row: Event) -> derive.Event:
    who = f" ({row.user.get_full_name() or row.user.username})" if row.user_id else ""
    return derive.Event(
        uid=f"event-{row.pk}@{derive.UID_DOMAIN}", kind=row.kind, title=f"{row.title}{who}", day=row.day,
        at=row.at, note=row.note, user_id=row.user_id, derived=False, pk=row.pk,
    )  # fmt: skip


def manual_events(start: date, end: date, *, team_only: bool = False, user=None) -> list[derive.Event]:
    rows = Event.objects.filter(day__gte=start, day__lte=end).select_related("user")
    if team_only:
        rows = rows.filter(user__isnull=True)
    if user is not None:
        rows = rows.filter(user=user)
    return [as_event(row) for row in rows]


def calendar_events(start: date, end: date, kinds: set[str] | None = None) -> list[derive.Event]:
    """What the month and agenda pages show: derived and manual events (a person's own ones too)."""
    events = derived_events(start, end) + manual_events(start, end)
    if kinds:
        events = [e for e in events if e.kind in kinds]
    return derive.sort_events(events)


def event_get(pk: int) -> Event:
    return Event.objects.select_related("user").get(pk=pk)


def office_users():
    """Staff who can be on the calendar, be assigned or get an event: active users with an office role."""
    from cistern.core import roles

    office = [
        roles.CSS_I,
        roles.CSS_II,
        roles.SUPERVISOR,
        roles.CASHIER,
        roles.FIELD_TECHNICIAN,
        roles.BILLING_ADMIN,
    ]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=office)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def display_name(user) -> str:
    return user.get_full_name() or user.username


# --- feeds --------------------------------------------------------------------------------------------------


def feed_for_token(token: str) -> FeedToken | None:
    if not token or len(token) > 100:
        return None
    return FeedToken.objects.select_related("user").filter(token_hash=FeedToken.hash_token(token)).first()


def feed_of(user) -> FeedToken | None:
    return FeedToken.objects.filter(user=user).first()


def team_feed() -> FeedToken | None:
    return FeedToken.objects.filter(user__isnull=True).first()


FEED_PAST_DAYS, FEED_AHEAD_DAYS = 31, 190


def feed_window(today: date) -> tuple[date, date]:
    """What a feed holds: a month back, six months ahead."""
    return today - timedelta(days=FEED_PAST_DAYS), today + timedelta(days=FEED_AHEAD_DAYS)


# --- coverage -----------------------------------------------------------------------------------------------


def coverage_facts(start: date, end: date):
    """(workweeks, leaves, assignments, lunches) as coverage.py's values, for the days `start`..`end`."""
    workweeks = [
        coverage.Workweek(w.user_id, w.pattern, w.starts_on, w.day_off)
        for w in Workweek.objects.filter(starts_on__lte=end)
    ]
    leaves = [
        coverage.Leave(x.user_id, x.first_day, x.last_day, x.half)
        for x in Leave.objects.filter(first_day__lte=end, last_day__gte=start)
    ]
    assignments = [
        coverage.Assignment(a.day, a.half, a.position, a.user_id)
        for a in Assignment.objects.filter(day__gte=start, day__lte=end)
    ]
    lunches = [
        coverage.Lunch(x.user_id, x.day, x.starts_at, x.minutes)
        for x in Lunch.objects.filter(day__gte=start, day__lte=end)
    ]
    return workweeks, leaves, assignments, lunches


UNCOVERED_DAYS = 7


def coverage_in_use() -> bool:
    """Does the office keep its coverage here (any workweek or assignment)?"""
    return Workweek.objects.exists() or Assignment.objects.exists()


def uncovered(today: date, days: int = UNCOVERED_DAYS, calendar: BusinessCalendar | None = None) -> list:
    """The uncovered slots of the business days from `today` through `days - 1` days later."""
    calendar = calendar or core_selectors.district_calendar()
    end = today + timedelta(days=days - 1)
    workweeks, leaves, assignments, _ = coverage_facts(today, end)
    span = [today + timedelta(days=n) for n in range(days)]
    return coverage.gaps(span, assignments, workweeks, leaves, calendar)


def assignments_of(user, start: date, end: date):
    return Assignment.objects.filter(user=user, day__gte=start, day__lte=end)


def leaves_of(user, start: date, end: date):
    return Leave.objects.filter(user=user, first_day__lte=end, last_day__gte=start)


# --- the checklist ------------------------------------------------------------------------------------------


def steps() -> list[ChecklistStep]:
    return list(ChecklistStep.objects.filter(active=True).order_by("part", "position", "pk"))


def checklist_in_use() -> bool:
    return ChecklistRecord.objects.exists()


def records_on(day: date) -> dict[int, ChecklistRecord]:
    return {r.step_id: r for r in ChecklistRecord.objects.filter(day=day).select_related("done_by")}


def checklist_misses(today: date, calendar: BusinessCalendar | None = None) -> list[checklist.Miss]:
    """The steps missed on business days before `today`, not yet acknowledged (the supervisor's queue)."""
    first = ChecklistRecord.objects.aggregate(first=Min("day"))["first"]
    if first is None:
        return []
    calendar = calendar or core_selectors.district_calendar()
    days = checklist.days_to_judge(today, first, calendar)
    if not days:
        return []
    done = set(ChecklistRecord.objects.filter(day__gte=days[0], day__lt=today).values_list("day", "step_id"))
    acknowledged = set(
        ChecklistMiss.objects.filter(day__gte=days[0], day__lt=today).values_list("day", "step_id")
    )
    plain = [checklist.Step(s.pk, s.name, s.part) for s in steps()]
    return checklist.misses(days, plain, done, acknowledged)


def acknowledged_misses(limit: int = 50):
    return ChecklistMiss.objects.select_related("step", "acknowledged_by").order_by("-day", "step")[:limit]
