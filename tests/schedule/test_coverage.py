"""Coverage: who is available, the uncovered slots (a 4/10 worker's day off, leave), the leads' queue."""

from datetime import date, time, timedelta

import pytest

from cistern.core import clock, queues
from cistern.core.calendar import BusinessCalendar
from cistern.core.models import AuditEvent
from cistern.schedule import coverage, services
from cistern.schedule.models import Assignment

from .conftest import MONDAY

CAL = BusinessCalendar.with_closures([], holidays={date(2026, 12, 25): "Christmas Day"})
WEEK = [MONDAY + timedelta(days=n) for n in range(5)]
ANA, BEN, CAL_ID, DEE = 1, 2, 3, 4


def full_week(assign_friday_counter_to=ANA):
    """Everyone on their position every half-day of the week."""
    rows = []
    for day in WEEK:
        for half in coverage.HALVES:
            for position, who in zip(coverage.POSITIONS, (ANA, BEN, CAL_ID, DEE), strict=True):
                rows.append(coverage.Assignment(day, half, position, who))
    return rows


WORKWEEKS = [
    coverage.Workweek(ANA, coverage.FOUR_TEN, date(2026, 1, 5), day_off=4),  # Fridays off
    coverage.Workweek(BEN, coverage.FIVE_EIGHT, date(2026, 1, 5)),
    coverage.Workweek(CAL_ID, coverage.FIVE_EIGHT, date(2026, 1, 5)),
    coverage.Workweek(DEE, coverage.FIVE_EIGHT, date(2026, 1, 5)),
]


def test_a_4_10_worker_s_day_off_leaves_their_slots_uncovered():
    gaps = coverage.gaps(WEEK, full_week(), WORKWEEKS, [], CAL)
    assert gaps == [
        coverage.Gap(date(2026, 12, 11), "am", "counter", coverage.DAY_OFF, ANA),
        coverage.Gap(date(2026, 12, 11), "pm", "counter", coverage.DAY_OFF, ANA),
    ]
    assert coverage.available([ANA, BEN], date(2026, 12, 11), "am", WORKWEEKS, []) == [BEN]
    assert coverage.available([ANA, BEN], date(2026, 12, 10), "am", WORKWEEKS, []) == [ANA, BEN]


def test_a_newer_workweek_applies_from_its_day():
    weeks = WORKWEEKS + [coverage.Workweek(ANA, coverage.FIVE_EIGHT, date(2026, 12, 11))]
    assert coverage.gaps(WEEK, full_week(), weeks, [], CAL) == []


def test_leave_whole_and_half_days():
    leaves = [
        coverage.Leave(BEN, date(2026, 12, 8), date(2026, 12, 9)),
        coverage.Leave(CAL_ID, date(2026, 12, 10), date(2026, 12, 10), half="pm"),
    ]
    gaps = [
        (g.day, g.half, g.position, g.reason)
        for g in coverage.gaps(WEEK, full_week(), WORKWEEKS, leaves, CAL)
    ]
    assert gaps == [
        (date(2026, 12, 8), "am", "phones", coverage.ON_LEAVE),
        (date(2026, 12, 8), "pm", "phones", coverage.ON_LEAVE),
        (date(2026, 12, 9), "am", "phones", coverage.ON_LEAVE),
        (date(2026, 12, 9), "pm", "phones", coverage.ON_LEAVE),
        (date(2026, 12, 10), "pm", "drawer", coverage.ON_LEAVE),
        (date(2026, 12, 11), "am", "counter", coverage.DAY_OFF),
        (date(2026, 12, 11), "pm", "counter", coverage.DAY_OFF),
    ]


def test_nobody_assigned_and_closed_days():
    rows = [a for a in full_week() if not (a.day == MONDAY and a.position == "radio")]
    days = WEEK + [date(2026, 12, 25), date(2026, 12, 12)]  # Christmas and a Saturday: nothing to cover
    gaps = coverage.gaps(days, rows, WORKWEEKS, [], CAL)
    assert [(g.day, g.half, g.position, g.reason) for g in gaps if g.reason == coverage.NOBODY] == [
        (MONDAY, "am", "radio", coverage.NOBODY), (MONDAY, "pm", "radio", coverage.NOBODY),
    ]  # fmt: skip


def test_lunches_at_the_same_time_on_positions_the_same_half():
    lunches = [
        coverage.Lunch(ANA, MONDAY, time(12, 0), 30),
        coverage.Lunch(BEN, MONDAY, time(12, 15), 30),
        coverage.Lunch(CAL_ID, MONDAY, time(13, 0), 60),
    ]
    assert coverage.lunch_clashes(full_week(), lunches) == [
        coverage.LunchClash(MONDAY, (ANA, BEN), time(12, 15), time(12, 30))
    ]


# --- through the services and the queue -------------------------------------------------------------------------


@pytest.fixture
def office(db, make_user, lead):
    from cistern.core import roles

    staff = [make_user(roles.CSS_I, username=f"clerk{n}") for n in range(4)]
    for n, person in enumerate(staff):
        if n == 0:
            services.workweek_set(
                actor=lead, user=person, pattern="4x10", day_off=4, starts_on=date(2026, 11, 2)
            )
        else:
            services.workweek_set(actor=lead, user=person, pattern="5x8", starts_on=date(2026, 11, 2))
    return staff


def cover_week(lead, staff, skip=()):
    for day in WEEK:
        for half in coverage.HALVES:
            for position, person in zip(coverage.POSITIONS, staff, strict=True):
                if (day, half, position) in skip or (day.weekday() == 4 and person == staff[0]):
                    continue
                services.assignment_set(actor=lead, day=day, half=half, position=position, user=person)


@pytest.mark.django_db
def test_assigning_someone_on_their_day_off_is_refused(lead, office):
    with pytest.raises(services.ScheduleError, match="clerk0 is not working then"):
        services.assignment_set(
            actor=lead, day=date(2026, 12, 11), half="am", position="counter", user=office[0]
        )
    services.leave_add(actor=lead, user=office[1], first_day=MONDAY, half="pm")
    with pytest.raises(services.ScheduleError, match="on leave"):
        services.assignment_set(actor=lead, day=MONDAY, half="pm", position="phones", user=office[1])


@pytest.mark.django_db
def test_uncovered_slots_queue_for_leads_and_the_supervisor(lead, supervisor, css1, office):
    cover_week(lead, office)
    # The 4/10 clerk's Friday off: nobody on the counter Friday; leave on Wednesday afternoon takes the phones.
    services.leave_add(actor=lead, user=office[1], first_day=date(2026, 12, 9), half="pm", note="Doctor")
    with clock.on(MONDAY):
        counts = {q.queue.key: q.count for q in queues.queues_for(lead)}
        assert (
            counts["uncovered_slots"] == 3
        )  # Friday morning and afternoon counter, Wednesday afternoon phones
        assert {q.queue.key: q.count for q in queues.queues_for(supervisor)}["uncovered_slots"] == 3
        assert "uncovered_slots" not in {q.queue.key for q in queues.queues_for(css1)}
    services.assignment_set(actor=lead, day=date(2026, 12, 11), half="am", position="counter", user=office[2])
    with clock.on(MONDAY):
        assert {q.queue.key: q.count for q in queues.queues_for(lead)}["uncovered_slots"] == 2
    assert AuditEvent.objects.filter(action="schedule_assignment.set").count() == Assignment.objects.count()


@pytest.mark.django_db
def test_the_week_page_saves_assignments(client, lead, office):
    client.force_login(lead)
    with clock.on(MONDAY):
        page = client.get("/schedule/coverage/?week=2026-12-09").content.decode()
        assert "Coverage: week of 12/07/2026" in page and "40 slots uncovered" in page
        response = client.post("/schedule/coverage/assign/", {
            "week": "2026-12-07", "2026-12-07|am|counter": office[0].pk, "2026-12-11|am|counter": office[0].pk,
        })  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/schedule/coverage/?week=2026-12-07"
    assert list(Assignment.objects.values_list("day", "half", "position", "user")) == [
        (MONDAY, "am", "counter", office[0].pk)
    ]
    with clock.on(MONDAY):
        page = client.get(response["Location"]).content.decode()
    assert "39 slots uncovered" in page and "clerk0 is not working then" in page


@pytest.mark.django_db
def test_no_queue_while_the_office_keeps_no_coverage_here(lead, css1):
    with clock.on(MONDAY):
        assert "uncovered_slots" not in {q.queue.key for q in queues.queues_for(lead)}
    services.workweek_set(actor=lead, user=css1, pattern="5x8", starts_on=MONDAY)
    with clock.on(MONDAY):
        assert {q.queue.key: q.count for q in queues.queues_for(lead)}["uncovered_slots"] == 40
