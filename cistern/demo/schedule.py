"""The demo district's schedule, day by day through the schedule's services: manual calendar events, coverage,
the office's opening and closing checklist.

The last ~10 business days of the history the counter records the checklist (a clerk opens, a lead closes);
yesterday's night deposit was not recorded, so the supervisor's "Office checklist missed" queue has one step.
On the last day a lead sets the staff's workweeks (the lead works 4/10 with Fridays off), assigns the counter,
phones, drawer and radio for the next two weeks (the supervisor takes the radio on the lead's Fridays) with one
slot deliberately left uncovered (the leads' "Uncovered slots" queue), sets lunches, a half day of leave, and
puts a board meeting and a meter change-out day on the calendar."""

from datetime import date, time, timedelta

from cistern.core import roles
from cistern.core.selectors import district_calendar
from cistern.schedule import services
from cistern.schedule.models import ChecklistPart, ChecklistStep, Event

from .billing import user
from .cashiering import CASHIER
from .collections import SUPERVISOR

CHECKLIST_DAYS = 10  # business days before the last day
COVERAGE_DAYS = 14
MISSED_STEP = "night_deposit"


class DemoSchedule:
    def __init__(self, staff, *, seed: int, first_day: date, last_day: date):
        self.staff = staff
        self.last_day = last_day
        self.counts: dict[str, int] = {}
        self.checklist_days: set[date] | None = None
        self.yesterday: date | None = None

    def _add(self, key: str, count: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + count

    def day(self, day: date) -> None:
        if day < self.last_day - timedelta(days=CHECKLIST_DAYS * 2 + 10):
            return  # only the last weeks of the history
        if self.checklist_days is None:
            calendar = district_calendar()
            found, back = [], self.last_day
            while len(found) < CHECKLIST_DAYS:
                back -= timedelta(days=1)
                if calendar.is_business_day(back):
                    found.append(back)
            self.checklist_days, self.yesterday = set(found), found[0]
            self.calendar = calendar
        if day in self.checklist_days:
            self.checklist(day, skip=MISSED_STEP if day == self.yesterday else "")
        if day == self.last_day:
            if self.calendar.is_business_day(day):
                self.checklist(day, parts=(ChecklistPart.OPENING,))
            self.coverage(day)
            self.events(day)

    # --- the checklist ------------------------------------------------------------------------------------

    def checklist(
        self, day: date, *, skip: str = "", parts=(ChecklistPart.OPENING, ChecklistPart.CLOSING)
    ) -> None:
        for step in ChecklistStep.objects.filter(active=True, part__in=parts):
            if step.code == skip:
                continue
            actor = self.staff.clerk if step.part == ChecklistPart.OPENING else self.staff.lead
            services.checklist_record(actor=actor, step=step)
            self._add("checklist_steps")

    # --- coverage -------------------------------------------------------------------------------------------

    def coverage(self, today: date) -> None:
        lead, clerk = self.staff.lead, self.staff.clerk
        phones = self.staff.approver  # a second lead (CSS II) on the phones
        cashier = user(CASHIER, roles.CASHIER, "Cashier")
        supervisor = user(SUPERVISOR, roles.SUPERVISOR, "Supervisor")
        start = today - timedelta(days=today.weekday())  # this week's Monday
        for person in (clerk, phones, cashier, supervisor):
            services.workweek_set(actor=lead, user=person, pattern="5x8", starts_on=start)
        services.workweek_set(actor=lead, user=lead, pattern="4x10", day_off=4, starts_on=start)
        self._add("workweeks", 5)
        days = [today + timedelta(days=n) for n in range(COVERAGE_DAYS)]
        days = [d for d in days if self.calendar.is_business_day(d)]
        # The phones clerk's half day of leave on the fourth business day: the supervisor takes the phones then.
        leave_day = days[3] if len(days) > 3 else None
        if leave_day:
            services.leave_add(actor=lead, user=phones, first_day=leave_day, half="am", note="Dentist")
            self._add("leave")
        uncovered = (days[2], "pm", "radio") if len(days) > 2 else None  # left for a lead to fill
        for day in days:
            for half in ("am", "pm"):
                for position, person in (
                    ("counter", clerk),
                    ("phones", phones),
                    ("drawer", cashier),
                    ("radio", lead),
                ):
                    if (day, half, position) == uncovered:
                        continue
                    if position == "radio" and day.weekday() == 4:
                        person = supervisor  # the lead's Friday off
                    if position == "phones" and day == leave_day and half == "am":
                        person = supervisor
                    services.assignment_set(actor=lead, day=day, half=half, position=position, user=person)
                    self._add("assignments")
            for person, at in ((clerk, time(11, 30)), (phones, time(12, 30)), (cashier, time(12, 0)),
                               (lead, time(13, 0)), (supervisor, time(12, 0))):  # fmt: skip
                if person == lead and day.weekday() == 4:
                    continue
                services.lunch_set(actor=lead, user=person, day=day, starts_at=at, minutes=30)
                self._add("lunches")

    # --- manual events --------------------------------------------------------------------------------------

    def events(self, today: date) -> None:
        lead = self.staff.lead
        board = today + timedelta(days=(1 - today.weekday()) % 7 + 7)  # the Tuesday after next
        change_out = self.calendar.add_business_days(today, 5)
        services.event_save(actor=lead, event=Event(
            title="Board meeting", kind="meeting", day=board, at=time(18, 0),
            note="Regular board meeting at the district office; rate hearing on the agenda.",
        ))  # fmt: skip
        services.event_save(actor=lead, event=Event(
            title="Meter change-out day (Route R03)", kind="change_out", day=change_out,
            note="Crew replaces old 3/4\" meters; expect calls about short water outages.",
        ))  # fmt: skip
        self._add("events", 2)
