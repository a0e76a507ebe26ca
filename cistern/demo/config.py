"""The demo district's configuration alone: what the district sets up before it has a single customer.

`migrate` already brings the chart of accounts, the adjustment reasons, the roles with their default authority
limits, the service-order types, the shipped letter templates and the holidays around the real today. On top of
that the demo district has its settings (name, address, office hours), the holidays of its history's years, two
board-declared closure days, Joshua Basin's rate schedules and fee catalog, the staff its history is worked by,
and the counter's blank forms. `seed_district` loads these first (the same function), and
`seed_district --config-only` loads them alone: the database a conversion from the previous system starts from.

No customers, premises, routes, cycles, meters or accounts: cycles and routes come from what is converted.
Loading twice changes nothing.
"""

from datetime import date, time, timedelta

from django.db import transaction

from cistern.core.models import ClosureDay, DistrictSettings
from cistern.core.selectors import district_calendar
from cistern.core.services import holidays_load
from cistern.correspondence.demo_forms import demo_forms_load

from .history import Staff
from .rates import load_rates

DISTRICT = {
    "name": "Joshua Basin Water District (demo)",
    "short_name": "JBWD demo",
    "street": "61750 Chollita Road",
    "city": "Joshua Tree",
    "state": "CA",
    "zip_code": "92252",
    "phone": "(760) 366-8438",
    "time_zone": "America/Los_Angeles",
    "office_opens": time(8, 0),
    "office_closes": time(17, 0),
}


def closure_days(today: date) -> list[tuple[date, str]]:
    """Two board-declared closures ahead of `today`, each on a business day (never on a holiday)."""
    calendar = district_calendar()
    christmas_eve = date(today.year, 12, 24)
    if christmas_eve <= today:
        christmas_eve = date(today.year + 1, 12, 24)
    days: list[tuple[date, str]] = []
    for start, reason in [
        (today + timedelta(days=21), "Board-declared closure: all-staff emergency preparedness training"),
        (christmas_eve, "Board-declared closure: holiday week"),
    ]:
        day = start
        while not calendar.is_business_day(day) or any(d == day for d, _ in days):
            day += timedelta(days=1)
        days.append((day, reason))
    return days


def load_config(today: date) -> Staff:
    """Load the demo district's configuration (idempotent) and return its staff."""
    with transaction.atomic():
        DistrictSettings.objects.update_or_create(id=1, defaults=DISTRICT)
        # The holiday list for the history's years and the next one (the post-migrate load spans the real today).
        holidays_load(actor=None, years=range(today.year - 2, today.year + 2))
        # Once: a closure already declared makes its own day no business day, which would move it on.
        declared = set(ClosureDay.objects.filter(day__gt=today).values_list("reason", flat=True))
        for day, reason in closure_days(today):
            if reason not in declared:
                ClosureDay.objects.get_or_create(day=day, defaults={"reason": reason})
        load_rates()
        staff = Staff()
        demo_forms_load(actor=staff.biller, district_name=DISTRICT["name"])  # the counter's blank forms
    return staff
