"""The demo district's bill cycles (one per route) and the staff the history is worked by (history.py replays
the bill runs, payments and late fees day by day)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cistern.billing.models import BillCycle, CycleRoute
from cistern.metering.models import Route

from .meters import read_day_of

BILLER, APPROVER = "demo-billing", "demo-billing-lead"


def load_cycles() -> list[BillCycle]:
    """One cycle per route: read on the route's day, billed three days later."""
    cycles = []
    for number, route in enumerate(Route.objects.order_by("code"), start=1):
        read_day = read_day_of(route.code) if route.code[1:].isdigit() else min(28, number)
        cycle, _ = BillCycle.objects.get_or_create(
            code=f"C{number:02d}",
            defaults={"name": f"Cycle {number} ({route.name})", "read_day": read_day,
                      "bill_day": min(28, read_day + 3)},
        )  # fmt: skip
        CycleRoute.objects.get_or_create(route=route, defaults={"cycle": cycle})
        cycles.append(cycle)
    return cycles


def user(username: str, role: str, last_name: str = "Billing"):
    """A demo staff member with one role: a system actor nobody signs in as."""
    found, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Demo", "last_name": last_name, "is_active": True}
    )
    if created:
        found.set_unusable_password()
        found.save(update_fields=["password"])
        found.groups.add(Group.objects.get(name=role))
    return get_user_model().objects.get(pk=found.pk)  # fresh permission cache
