"""A case's due date from the SLA table: a number of business days after the day it was opened (or reopened).
Pure: plain values and a core BusinessCalendar in, a date out, no ORM."""

from collections.abc import Mapping
from datetime import date

from cistern.core.calendar import BusinessCalendar

PRIORITIES = ["urgent", "high", "normal", "low"]


def due_on(opened_on: date, business_days: int, calendar: BusinessCalendar) -> date:
    """`business_days` business days after `opened_on` (the opening day itself is not counted; 0: that day, or
    the next business day when the office is closed)."""
    if business_days <= 0:
        return calendar.business_day_on_or_after(opened_on)
    return calendar.add_business_days(opened_on, business_days)


def days_for(table: Mapping[tuple[str, str], int], category: str, priority: str) -> int | None:
    """The business days the table gives a category at a priority, or None when it has no row."""
    return table.get((category, priority))


def overdue(due: date | None, today: date) -> bool:
    return due is not None and due < today


def due_state(due: date | None, today: date) -> str:
    """How a case stands against its due date, in words (never colour only)."""
    if due is None:
        return ""
    if due < today:
        days = (today - due).days
        return f"Overdue {days} day{'s' if days != 1 else ''}"
    if due == today:
        return "Due today"
    return "Due"
