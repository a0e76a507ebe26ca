"""Field work: service orders open, overdue and completed, by order type and technician."""

from datetime import timedelta

from django import forms
from django.db.models import Count, Q

from cistern.fieldwork.models import OrderStatus, ServiceOrder, ServiceOrderType

from .base import DateRangeForm, ReportResult, define, list_result
from .registry import Column

GROUP = "Field work"
OPEN_STATUSES = (OrderStatus.OPEN, OrderStatus.SCHEDULED, OrderStatus.DISPATCHED)
DONE_STATUSES = (OrderStatus.COMPLETED, OrderStatus.CLOSED)


class ServiceOrderForm(DateRangeForm):
    order_type = forms.ModelChoiceField(
        label="Order type", required=False, queryset=ServiceOrderType.objects.order_by("name"), to_field_name="code",
        empty_label="Every type",
    )  # fmt: skip
    technician = forms.CharField(label="Technician (user name)", required=False, max_length=150)


COLUMNS = [
    Column("order_type", "Order type"),
    Column("technician", "Technician"),
    Column("requested", "Requested in the range", "int", total=True),
    Column("open", "Open at the end", "int", total=True),
    Column("overdue", "Overdue at the end", "int", total=True),
    Column("completed", "Completed in the range", "int", total=True),
    Column("voided", "Voided in the range", "int", total=True),
]


def service_orders(params: dict) -> ReportResult:
    """Per order type and technician (blank: not assigned): orders requested in the range; open on its last day
    (requested by then, not completed, closed or voided); overdue (open and scheduled before the last day, or never
    scheduled and requested more than 7 days before it); completed in the range (completed_on); voided."""
    start, end = params["date_from"], params["date_to"]
    orders = ServiceOrder.objects.filter(Q(requested_on__lte=end))
    if params.get("order_type"):
        orders = orders.filter(order_type=params["order_type"])
    if params.get("technician"):
        orders = orders.filter(technician__username__iexact=params["technician"].strip())
    is_open = Q(status__in=OPEN_STATUSES)
    overdue = is_open & (
        Q(scheduled_on__lt=end) | Q(scheduled_on__isnull=True, requested_on__lt=end - timedelta(7))
    )
    in_range = Q(requested_on__gte=start)
    done = Q(status__in=DONE_STATUSES, completed_on__gte=start, completed_on__lte=end)
    voided = Q(status=OrderStatus.VOIDED) & in_range
    grouped = (
        orders.filter(is_open | in_range | done)
        .values("order_type__name", "technician__username")
        .annotate(
            requested=Count("id", filter=in_range), open=Count("id", filter=is_open),
            overdue=Count("id", filter=overdue), completed=Count("id", filter=done), voided=Count("id", filter=voided),
        )
        .order_by("order_type__name", "technician__username")
    )  # fmt: skip
    rows = [
        (g["order_type__name"], g["technician__username"] or "", g["requested"], g["open"], g["overdue"],
         g["completed"], g["voided"])
        for g in grouped
    ]  # fmt: skip
    return list_result(rows, COLUMNS, params.get("sort", ""))


define(
    key="service_orders", title="Service orders", group=GROUP, permission="reports.view_service_orders",
    columns=COLUMNS, form=ServiceOrderForm, selector=service_orders,
    example=lambda today: {"date_from": today - timedelta(days=30), "date_to": today},
    description="Orders requested, open, overdue, completed and voided, by order type and technician.",
)  # fmt: skip
