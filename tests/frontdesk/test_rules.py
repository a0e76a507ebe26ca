"""The pure parts: the case lifecycle's transition table and the SLA due date in business days."""

from datetime import date

import pytest

from cistern.core.calendar import BusinessCalendar
from cistern.frontdesk import lifecycle, sla

THANKSGIVING = BusinessCalendar(holidays={date(2026, 11, 26): "Thanksgiving Day"})


def test_escalation_goes_up_one_level_at_a_time():
    assert lifecycle.next_status(lifecycle.OPEN, lifecycle.ESCALATE) == lifecycle.CSS_II
    assert lifecycle.next_status(lifecycle.CSS_II, lifecycle.ESCALATE) == lifecycle.SUPERVISOR
    with pytest.raises(lifecycle.TransitionRefused, match="no level above"):
        lifecycle.next_status(lifecycle.SUPERVISOR, lifecycle.ESCALATE)
    assert [lifecycle.level(s) for s in (lifecycle.OPEN, lifecycle.CSS_II, lifecycle.SUPERVISOR)] == [
        "CSS I", "CSS II", "Supervisor",
    ]  # fmt: skip


def test_resolved_cases_are_notified_or_reopened_only():
    assert lifecycle.allowed_actions(lifecycle.RESOLVED) == [lifecycle.NOTIFY, lifecycle.REOPEN]
    assert lifecycle.next_status(lifecycle.RESOLVED, lifecycle.REOPEN) == lifecycle.REOPENED
    assert lifecycle.next_status(lifecycle.REOPENED, lifecycle.ESCALATE) == lifecycle.CSS_II
    with pytest.raises(lifecycle.TransitionRefused, match="resolve it first"):
        lifecycle.next_status(lifecycle.OPEN, lifecycle.NOTIFY)
    assert not lifecycle.can(lifecycle.RESOLVED, lifecycle.RESOLVE)


def test_due_date_counts_business_days_over_a_weekend():
    # Thursday 11/19/2026 + 3 business days: Fri 20, Mon 23, Tue 24.
    assert sla.due_on(date(2026, 11, 19), 3, BusinessCalendar()) == date(2026, 11, 24)


def test_due_date_skips_a_holiday_and_the_weekend():
    # Tuesday 11/24 + 5: Wed 25, (Thanksgiving), Fri 27, Mon 30, Tue 12/1, Wed 12/2.
    assert sla.due_on(date(2026, 11, 24), 5, THANKSGIVING) == date(2026, 12, 2)
    assert sla.due_on(date(2026, 11, 24), 5, BusinessCalendar()) == date(2026, 12, 1)


def test_zero_days_on_a_closed_day_is_the_next_business_day():
    assert sla.due_on(date(2026, 11, 26), 0, THANKSGIVING) == date(2026, 11, 27)
    assert sla.due_on(date(2026, 11, 28), 0, THANKSGIVING) == date(2026, 11, 30)


def test_due_state_is_said_in_words():
    today = date(2026, 12, 3)
    assert sla.due_state(date(2026, 12, 1), today) == "Overdue 2 days"
    assert sla.due_state(date(2026, 12, 2), today) == "Overdue 1 day"
    assert sla.due_state(today, today) == "Due today"
    assert sla.due_state(date(2026, 12, 4), today) == "Due"
