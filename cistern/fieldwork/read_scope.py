"""A field technician reads the meters of their own open orders: metering asks field work which premises those
are (metering sits below field work and cannot import it; registered in apps.py)."""

from . import lifecycle
from .models import ServiceOrder


def premises_on_open_orders(user) -> list[int]:
    """The premises of the orders assigned to `user` that still wait for the field (open, scheduled, dispatched)."""
    return list(
        ServiceOrder.objects.filter(technician_id=user.pk, status__in=lifecycle.ACTIVE)
        .values_list("premise_id", flat=True)
        .distinct()
    )
