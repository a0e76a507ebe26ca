"""What field work tells the counter: follow-ups due on completed orders, and a technician's orders for the
day, on the home page (core/queues.py). Registered from the app's ready()."""

from cistern.core import clock, queues

from . import lifecycle, selectors
from .models import ServiceOrder


def follow_ups_due(user) -> int:
    return selectors.follow_up_queue().count()


def my_orders_today(user) -> int | None:
    """A technician's orders still to do today; an office user who dispatches sees it only when they have some."""
    count = ServiceOrder.objects.filter(
        technician=user, scheduled_on=clock.today(), status__in=lifecycle.ACTIVE
    ).count()
    if count == 0 and user.has_perm("fieldwork.view_serviceorder"):
        return None
    return count


def register_all() -> None:
    for queue in [
        queues.WorkQueue(
            key="follow_ups", title="Follow-ups due", permission="fieldwork.change_serviceorder",
            count=follow_ups_due, url_name="fieldwork:follow_ups",
            hint="Completed orders whose technician asked the office to call the customer.",
        ),
        queues.WorkQueue(
            key="my_orders", title="My orders today", permission="fieldwork.complete_serviceorder",
            count=my_orders_today, url_name="fieldwork:tech_today", hint="Still to do on today's route.",
        ),
    ]:  # fmt: skip
        queues.register(queue)
