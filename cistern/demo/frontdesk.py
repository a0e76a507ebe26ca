"""The demo district's front desk, day by day through the front desk's services: calls, visitors, cases, the
radio log."""

from datetime import date


class DemoFrontDesk:
    def __init__(self, staff, *, seed: int, first_day: date, last_day: date):
        self.staff = staff
        self.counts: dict[str, int] = {}

    def day(self, day: date) -> None:
        pass
