"""The demo district's schedule, day by day through the schedule's services: manual calendar events, coverage,
the office's opening and closing checklist."""

from datetime import date


class DemoSchedule:
    def __init__(self, staff, *, seed: int, first_day: date, last_day: date):
        self.staff = staff
        self.counts: dict[str, int] = {}

    def day(self, day: date) -> None:
        pass
