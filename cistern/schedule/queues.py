"""The schedule's home-page queues (see core/queues.py): the uncovered coverage slots of the next 7 days (leads
and the supervisor) and the opening and closing steps missed on a past business day (the supervisor)."""

from cistern.core import clock, queues

from . import selectors


def _uncovered(user) -> int | None:
    if not selectors.coverage_in_use():
        return None  # a district that does not keep coverage here is not nagged
    return len(selectors.uncovered(clock.today()))


def _missed(user) -> int | None:
    if not selectors.checklist_in_use():
        return None
    return len(selectors.checklist_misses(clock.today()))


uncovered_slots_queue = queues.WorkQueue(
    key="uncovered_slots", title="Uncovered slots", permission="schedule.manage_coverage", count=_uncovered,
    url_name="schedule:uncovered",
    hint="Counter, phones, drawer and radio slots of the next 7 days with nobody working them.",
)  # fmt: skip

office_checklist_queue = queues.WorkQueue(
    key="office_checklist", title="Office checklist missed", permission="schedule.acknowledge_checklist_miss",
    count=_missed, url_name="schedule:misses",
    hint="Opening or closing steps not recorded on a business day, until acknowledged with a note.",
)  # fmt: skip
