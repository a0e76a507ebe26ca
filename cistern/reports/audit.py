"""The audit trail: every audited action by user and date range (core AuditEvent)."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from cistern.core.models import AuditEvent

from .base import DateRangeForm, QueryRows, ReportResult, day_span, define, order_by
from .registry import Column

GROUP = "Audit"


class AuditForm(DateRangeForm):
    user = forms.CharField(label="User name", required=False, max_length=150)
    action = forms.CharField(label="Action (begins with)", required=False, max_length=60)


COLUMNS = [
    Column("at", "When", "datetime"),
    Column("user", "User"),
    Column("action", "Action"),
    Column("object_type", "Object type"),
    Column("object", "Object"),
    Column("account", "Account id", "int"),
    Column("reason", "Reason"),
]
SORT = {"at": "created_at", "user": "actor__username", "action": "action", "object_type": "object_type",
        "object": "object_repr", "account": "account_id", "reason": "reason"}  # fmt: skip


def audit_trail(params: dict) -> ReportResult:
    since, before = day_span(params["date_from"], params["date_to"])
    events = AuditEvent.objects.filter(created_at__gte=since, created_at__lt=before)
    if params.get("user"):
        events = events.filter(actor__username__iexact=params["user"].strip())
    if params.get("action"):
        events = events.filter(action__startswith=params["action"].strip())
    zone = timezone.get_current_timezone()
    query = events.order_by(*order_by(params.get("sort", ""), SORT, ["created_at", "id"])).values_list(
        "created_at", "actor__username", "action", "object_type", "object_repr", "account_id", "reason"
    )
    return ReportResult(
        columns=COLUMNS,
        rows=QueryRows(
            query, lambda v: (timezone.localtime(v[0], zone).replace(tzinfo=None), v[1] or "", *v[2:])
        ),
    )


define(
    key="audit_trail", title="Audit trail", group=GROUP, permission="reports.view_audit_trail",
    columns=COLUMNS, form=AuditForm, selector=audit_trail,
    example=lambda today: {"date_from": today - timedelta(days=30), "date_to": today},
    description="Who did what, when, to which record, and why: by user and date range.",
)  # fmt: skip
