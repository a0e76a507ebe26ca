"""A technician's orders as owned work on the lead's team page (core/assignments.py): what each technician has
open, scheduled or dispatched, and handing an order to another technician through the scheduling service (same
day and window, the new technician; a dispatched order is dispatched again to the new technician's phone).

Wired at start-up by `register_all()` (FieldworkConfig.ready())."""

from django.db import transaction
from django.urls import reverse

from cistern.core import assignments

from . import lifecycle, selectors, services
from .models import ServiceOrder


def items_for(user) -> list[assignments.AssignedItem]:
    orders = (
        ServiceOrder.objects.filter(technician=user, status__in=lifecycle.ACTIVE)
        .select_related("order_type", "premise")
        .order_by("scheduled_on", "number")
    )
    return [
        assignments.AssignedItem(
            id=order.pk,
            label=f"{order.label} {order.order_type.name}, {order.premise.street}",
            url=reverse("fieldwork:order_detail", args=[order.number]),
            due_on=order.scheduled_on,
        )
        for order in orders
    ]


def reassign(*, actor, item_id: int, to_user, reason: str) -> None:
    order = ServiceOrder.objects.filter(pk=item_id).first()
    if order is None or order.status not in lifecycle.ACTIVE:
        raise services.FieldworkError("That order is no longer open: reload the team page.")
    if order.technician_id == to_user.pk:
        raise services.FieldworkError(f"{order.label} is already {to_user.username}'s.")
    if order.scheduled_on is None:
        raise services.FieldworkError(f"{order.label} has no day yet: schedule it from the order's page.")
    dispatched = order.status == lifecycle.DISPATCHED
    with transaction.atomic():
        order = services.order_schedule(
            actor=actor, order=order, scheduled_on=order.scheduled_on, window_start=order.window_start,
            window_end=order.window_end, technician=to_user, reason=f"Handed on: {reason}",
        )  # fmt: skip
        if dispatched:
            services.order_dispatch(actor=actor, order=order)


SERVICE_ORDERS = assignments.AssignableWork(
    key="service_orders",
    title="Field orders",
    permission="fieldwork.dispatch_serviceorder",
    items_for=items_for,
    reassign=reassign,
    errors=(services.FieldworkError,),
    assignees=selectors.technicians,
)


def register_all() -> None:
    assignments.register(SERVICE_ORDERS)
