"""Collections: the delinquency steps taken (reminders, shutoff notices, door-hangers...) and the lock-offs, by
month. The annual shutoff report stays with collections (linked from the reports page)."""

from datetime import timedelta

from django import forms
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from cistern.collections.models import LockoffCandidate, Notice, NoticeKind
from cistern.core.money import money
from cistern.fieldwork.models import OrderStatus

from .base import DateRangeForm, ReportResult, define, list_result
from .registry import Column

GROUP = "Collections"
LOCKOFF_ORDER, LOCKED_OFF = "Lock-off order written", "Locked off"
STEPS = [*NoticeKind.choices, ("lockoff_order", LOCKOFF_ORDER), ("locked_off", LOCKED_OFF)]


class DelinquencyForm(DateRangeForm):
    step = forms.ChoiceField(label="Step", required=False, choices=[("", "Every step"), *STEPS])


COLUMNS = [
    Column("month", "Month", "date"),
    Column("step", "Step"),
    Column("count", "Count", "int", total=True),
    Column("amount", "Amount past due", "money", total=True),
]


def delinquency(params: dict) -> ReportResult:
    """Notices issued in the range by month and kind (the amount each stated); the lock-off lists' orders written
    (by the list's day) and those the technician completed (by the day done), with the amount past due."""
    start, end, step = params["date_from"], params["date_to"], params.get("step") or ""
    rows = []
    kinds = dict(NoticeKind.choices)
    if step in ("", *NoticeKind.values):
        notices = Notice.objects.filter(issued_on__gte=start, issued_on__lte=end)
        if step:
            notices = notices.filter(kind=step)
        for g in (
            notices.annotate(month=TruncMonth("issued_on")).values("month", "kind")
            .annotate(n=Count("id"), amount=Sum("amount")).order_by("month", "kind")
        ):  # fmt: skip
            rows.append((g["month"], kinds.get(g["kind"], g["kind"]), g["n"], money(g["amount"] or 0)))
    orders = LockoffCandidate.objects.filter(included=True, order__isnull=False)
    if step in ("", "lockoff_order"):
        for g in (
            orders.filter(lockoff_list__day__gte=start, lockoff_list__day__lte=end)
            .annotate(month=TruncMonth("lockoff_list__day")).values("month")
            .annotate(n=Count("id"), amount=Sum("amount")).order_by("month")
        ):  # fmt: skip
            rows.append((g["month"], LOCKOFF_ORDER, g["n"], money(g["amount"] or 0)))
    if step in ("", "locked_off"):
        for g in (
            orders.filter(order__status__in=(OrderStatus.COMPLETED, OrderStatus.CLOSED),
                          order__completed_on__gte=start, order__completed_on__lte=end)
            .annotate(month=TruncMonth("order__completed_on")).values("month")
            .annotate(n=Count("id"), amount=Sum("amount")).order_by("month")
        ):  # fmt: skip
            rows.append((g["month"], LOCKED_OFF, g["n"], money(g["amount"] or 0)))
    rows.sort(key=lambda row: row[0])
    return list_result(rows, COLUMNS, params.get("sort", ""))


define(
    key="delinquency", title="Delinquency and lock-offs", group=GROUP, permission="reports.view_delinquency",
    columns=COLUMNS, form=DelinquencyForm, selector=delinquency,
    example=lambda today: {"date_from": today - timedelta(days=90), "date_to": today},
    description="Reminders, shutoff notices, door-hangers, lock-off orders and lock-offs by month, with the amounts "
    "past due.",
)  # fmt: skip
