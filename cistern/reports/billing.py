"""Billing: the register of a bill run (its bills, and its bill lines by GL account and charge), and consumption and
revenue by customer class and month."""

from datetime import date

from django import forms
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from cistern.billing.models import Bill, BillLine, BillRun, RunStatus
from cistern.core.money import money
from cistern.customers.models import OccupancyType

from .base import (
    DateRangeForm,
    QueryRows,
    ReportForm,
    ReportResult,
    define,
    list_result,
    money_or_zero,
    order_by,
)
from .registry import Column

GROUP = "Billing"


class RunField(forms.ModelChoiceField):
    """A posted bill run, by id; a value that is no id is refused before the database sees it."""

    def to_python(self, value):
        if value not in self.empty_values and not (str(value).isdigit() and len(str(value)) <= 12):
            raise forms.ValidationError("Pick a bill run from the list.", code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, run):
        return f"{run.cycle.code} {run.cycle.name}: period to {run.period_end:%m/%d/%Y}, billed {run.bill_date:%m/%d/%Y}"


class RunForm(ReportForm):
    run = RunField(
        label="Bill run", queryset=BillRun.objects.filter(status=RunStatus.POSTED).select_related("cycle")
        .order_by("-bill_date", "cycle__code"),
    )  # fmt: skip


def latest_run(today: date) -> dict:
    run = (
        BillRun.objects.filter(status=RunStatus.POSTED, bill_date__lte=today)
        .order_by("-bill_date", "-id")
        .first()
    )
    return {"run": run.pk if run else None}


REGISTER_COLUMNS = [
    Column("bill", "Bill", "int"),
    Column("account", "Account"),
    Column("customer", "Customer"),
    Column("customer_class", "Class"),
    Column("period_start", "From", "date"),
    Column("period_end", "To", "date"),
    Column("units", "Units (HCF)", "decimal", total=True),
    Column("current_charges", "Current charges", "money", total=True),
    Column("amount_due", "Amount due", "money", total=True),
]
REGISTER_SORT = {
    "bill": "id", "account": "account__number", "customer": "account__customer__name",
    "customer_class": "account__occupancy_type", "period_start": "period_start", "period_end": "period_end",
    "units": "units", "current_charges": "current_charges", "amount_due": "amount_due",
}  # fmt: skip


def billing_register(params: dict) -> ReportResult:
    bills = Bill.objects.filter(run=params["run"])
    totals = bills.aggregate(
        units=Sum("units"), charges=Sum("current_charges"), due=Sum("amount_due"), n=Count("id")
    )
    labels = dict(OccupancyType.choices)
    query = bills.order_by(*order_by(params.get("sort", ""), REGISTER_SORT, ["account__number", "id"])).values_list(
        "id", "account__number", "account__customer__name", "account__occupancy_type", "period_start", "period_end",
        "units", "current_charges", "amount_due",
    )  # fmt: skip
    return ReportResult(
        columns=REGISTER_COLUMNS,
        rows=QueryRows(
            query, lambda v: (*v[:3], labels.get(v[3], v[3]), v[4], v[5], v[6], money(v[7]), money(v[8]))
        ),
        totals={
            "units": totals["units"] or 0,
            "current_charges": money_or_zero(totals["charges"]),
            "amount_due": money_or_zero(totals["due"]),
        },  # fmt: skip
        row_count=totals["n"],
    )


define(
    key="billing_register", title="Billing register: bills of a run", group=GROUP,
    permission="reports.view_billing_register", columns=REGISTER_COLUMNS, form=RunForm, selector=billing_register,
    example=latest_run,
    description="Every bill a posted bill run made: period, units, current charges and amount due.",
)  # fmt: skip


LINE_COLUMNS = [
    Column("gl_account", "GL account"),
    Column("description", "Charge"),
    Column("lines", "Lines", "int", total=True),
    Column("quantity", "Quantity", "decimal"),
    Column("amount", "Amount", "money", total=True),
]


def billing_register_lines(params: dict) -> ReportResult:
    grouped = (
        BillLine.objects.filter(bill__run=params["run"])
        .values("gl_account", "description")
        .annotate(n=Count("id"), quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by("gl_account", "description")
    )
    rows = [(g["gl_account"], g["description"], g["n"], g["quantity"], money(g["amount"])) for g in grouped]
    return list_result(rows, LINE_COLUMNS, params.get("sort", ""))


define(
    key="billing_register_lines", title="Billing register: charges of a run by GL account", group=GROUP,
    permission="reports.view_billing_register", columns=LINE_COLUMNS, form=RunForm, selector=billing_register_lines,
    example=latest_run,
    description="A posted bill run's bill lines summed by GL account and charge.",
)  # fmt: skip


class ConsumptionForm(DateRangeForm):
    customer_class = forms.ChoiceField(
        label="Customer class", required=False, choices=[("", "Every class"), *OccupancyType.choices]
    )


CONSUMPTION_COLUMNS = [
    Column("month", "Month billed", "date"),
    Column("customer_class", "Customer class"),
    Column("bills", "Bills", "int", total=True),
    Column("units", "Units (HCF)", "decimal", total=True),
    Column("revenue", "Charges billed", "money", total=True),
]


def consumption_revenue(params: dict) -> ReportResult:
    """Bills dated in the range that stand (cancelled ones are left out: their rebill counts), by month of the bill
    date and the account's customer class."""
    bills = Bill.objects.filter(
        bill_date__gte=params["date_from"], bill_date__lte=params["date_to"], cancellation__isnull=True
    )
    if params.get("customer_class"):
        bills = bills.filter(account__occupancy_type=params["customer_class"])
    grouped = (
        bills.annotate(month=TruncMonth("bill_date"))
        .values("month", "account__occupancy_type")
        .annotate(n=Count("id"), units=Sum("units"), revenue=Sum("current_charges"))
        .order_by("month", "account__occupancy_type")
    )
    labels = dict(OccupancyType.choices)
    rows = [
        (g["month"], labels.get(g["account__occupancy_type"], g["account__occupancy_type"]), g["n"],
         money(g["units"] or 0), money(g["revenue"] or 0))
        for g in grouped
    ]  # fmt: skip
    return list_result(rows, CONSUMPTION_COLUMNS, params.get("sort", ""))


define(
    key="consumption_revenue", title="Consumption and revenue by class and month", group=GROUP,
    permission="reports.view_consumption_revenue", columns=CONSUMPTION_COLUMNS, form=ConsumptionForm,
    selector=consumption_revenue,
    example=lambda today: {"date_from": date(today.year - 1, today.month, 1), "date_to": today},
    description="Units billed and charges billed by month of the bill date and customer class (cancelled bills "
    "left out).",
)  # fmt: skip
