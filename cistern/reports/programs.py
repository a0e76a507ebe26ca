"""Assistance programs: the customers enrolled (low-income, medical certification: account flags in force) and the
leak-relief credits approved (the Customer Account Assistance Program)."""

from datetime import timedelta

from django import forms
from django.db.models import Q

from cistern.assistance.models import ApplicationStatus, LeakReliefApplication
from cistern.core.money import money
from cistern.customers.models import AccountFlag, FlagKind, OccupancyType

from .base import DateRangeForm, ReportResult, define, list_result
from .registry import Column

GROUP = "Customers"
LEAK_RELIEF = "leak_relief"
PROGRAMS = [(FlagKind.LOW_INCOME, "Low-income"), (FlagKind.MEDICAL, "Medical certification"),
            (LEAK_RELIEF, "Leak relief")]  # fmt: skip


class ProgramForm(DateRangeForm):
    program = forms.ChoiceField(label="Program", required=False, choices=[("", "Every program"), *PROGRAMS])


COLUMNS = [
    Column("program", "Program"),
    Column("account", "Account"),
    Column("customer", "Customer"),
    Column("customer_class", "Customer class"),
    Column("since", "Since", "date"),
    Column("until", "Until", "date"),
    Column("relief", "Relief credited", "money", total=True),
]


def programs(params: dict) -> ReportResult:
    """Low-income and medical flags in force on the range's last day (enrolled since, until: blank when open);
    leak-relief applications approved in the range (since: the day approved) with the relief credited."""
    start, end, program = params["date_from"], params["date_to"], params.get("program") or ""
    names, classes = dict(PROGRAMS), dict(OccupancyType.choices)
    rows = []
    kinds = [program] if program in (FlagKind.LOW_INCOME, FlagKind.MEDICAL) else [] if program else [
        FlagKind.LOW_INCOME, FlagKind.MEDICAL]  # fmt: skip
    if kinds:
        flags = (
            AccountFlag.objects.filter(kind__in=kinds, starts_on__lte=end)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=end))
            .order_by("kind", "account__number", "starts_on")
            .values_list("kind", "account__number", "account__customer__name", "account__occupancy_type",
                         "starts_on", "expires_on")
        )  # fmt: skip
        rows += [(names[k], n, c, classes.get(o, o), s, e, None) for k, n, c, o, s, e in flags]
    if program in ("", LEAK_RELIEF):
        approved = (
            LeakReliefApplication.objects.filter(
                status=ApplicationStatus.APPROVED, decided_on__gte=start, decided_on__lte=end
            )
            .order_by("decided_on", "id")
            .values_list("account__number", "account__customer__name", "account__occupancy_type", "decided_on",
                         "relief_amount")
        )  # fmt: skip
        rows += [
            (names[LEAK_RELIEF], n, c, classes.get(o, o), d, None, money(r)) for n, c, o, d, r in approved
        ]
    return list_result(rows, COLUMNS, params.get("sort", ""))


define(
    key="assistance", title="Assistance programs", group=GROUP, permission="reports.view_assistance",
    columns=COLUMNS, form=ProgramForm, selector=programs,
    example=lambda today: {"date_from": today - timedelta(days=365), "date_to": today},
    description="Customers enrolled in the low-income and medical programs, and the leak-relief credits approved.",
)  # fmt: skip
