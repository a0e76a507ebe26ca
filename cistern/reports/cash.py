"""Cash and payments: the daily cash (what was taken, by day, channel, drawer, cashier and tender), the bank
deposits, and the returned payments (NSF checks and ACH returns). Each one SQL aggregate or one ordered query."""

from datetime import timedelta

from django import forms
from django.db.models import Count, OuterRef, Subquery, Sum

from cistern.core.money import money
from cistern.ledger.models import JournalLine
from cistern.payments.models import (
    BankDeposit,
    Channel,
    PaymentReturn,
    PaymentStatus,
    PaymentTender,
    TenderKind,
)

from .base import DateRangeForm, QueryRows, ReportResult, define, list_result, money_or_zero, order_by
from .registry import Column

GROUP = "Cash and payments"


class DailyCashForm(DateRangeForm):
    drawer = forms.CharField(label="Drawer", required=False, max_length=30)
    cashier = forms.CharField(label="Cashier (user name)", required=False, max_length=150)
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "Every channel"), *Channel.choices]
    )


DAILY_CASH_COLUMNS = [
    Column("day", "Business day", "date"),
    Column("channel", "Channel"),
    Column("drawer", "Drawer"),
    Column("cashier", "Cashier"),
    Column("tender", "Tender"),
    Column("tenders", "Tenders", "int", total=True),
    Column("amount", "Amount", "money", total=True),
]


def daily_cash(params: dict) -> ReportResult:
    """Payments received in the range (voided ones are not: their entry is reversed the same day), each tender's
    amount grouped by the payment's day, channel, drawer, cashier (who posted it) and tender kind."""
    tenders = PaymentTender.objects.filter(
        payment__received_on__gte=params["date_from"], payment__received_on__lte=params["date_to"]
    ).exclude(payment__status=PaymentStatus.VOIDED)
    if params.get("drawer"):
        tenders = tenders.filter(payment__session__drawer__iexact=params["drawer"].strip())
    if params.get("cashier"):
        tenders = tenders.filter(payment__posted_by__username__iexact=params["cashier"].strip())
    if params.get("channel"):
        tenders = tenders.filter(payment__channel=params["channel"])
    grouped = (
        tenders.values(
            "payment__received_on", "payment__channel", "payment__session__drawer", "payment__posted_by__username",
            "kind",
        )
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("payment__received_on", "payment__channel", "payment__session__drawer", "payment__posted_by__username",
                  "kind")
    )  # fmt: skip
    channels, kinds = dict(Channel.choices), dict(TenderKind.choices)
    rows = [
        (g["payment__received_on"], channels.get(g["payment__channel"], g["payment__channel"]),
         g["payment__session__drawer"] or "", g["payment__posted_by__username"], kinds.get(g["kind"], g["kind"]),
         g["n"], money(g["amount"]))
        for g in grouped
    ]  # fmt: skip
    return list_result(rows, DAILY_CASH_COLUMNS, params.get("sort", ""))


define(
    key="daily_cash", title="Daily cash", group=GROUP, permission="reports.view_daily_cash",
    columns=DAILY_CASH_COLUMNS, form=DailyCashForm, selector=daily_cash,
    example=lambda today: {"date_from": today, "date_to": today},
    description="Payments taken by day, channel, drawer, cashier and tender (voided payments left out).",
)  # fmt: skip


DEPOSIT_COLUMNS = [
    Column("deposit", "Deposit", "int"),
    Column("day", "Deposit date", "date"),
    Column("drawers", "Drawers", "int", total=True),
    Column("checks_count", "Checks", "int", total=True),
    Column("cash", "Cash", "money", total=True),
    Column("checks", "Checks and money orders", "money", total=True),
    Column("total", "Total", "money", total=True),
    Column("reference", "Bank reference"),
    Column("prepared_by", "Prepared by"),
]


def deposits(params: dict) -> ReportResult:
    found = (
        BankDeposit.objects.filter(deposit_date__gte=params["date_from"], deposit_date__lte=params["date_to"])
        .annotate(drawers=Count("sessions"))
        .values_list("id", "deposit_date", "drawers", "checks", "cash_total", "check_total", "total",
                     "bank_reference", "prepared_by__username")
        .order_by("deposit_date", "id")
    )  # fmt: skip
    rows = [
        (pk, day, drawers, len(checks or []), money(cash), money(checks_total), money(total), ref, by)
        for pk, day, drawers, checks, cash, checks_total, total, ref, by in found
    ]
    return list_result(rows, DEPOSIT_COLUMNS, params.get("sort", ""))


define(
    key="deposits", title="Bank deposits", group=GROUP, permission="reports.view_deposits",
    columns=DEPOSIT_COLUMNS, form=DateRangeForm, selector=deposits,
    example=lambda today: {"date_from": today - timedelta(days=30), "date_to": today},
    description="Each bank deposit of the drawers' cash and checks: drawers, cash, checks, total.",
)  # fmt: skip


RETURN_COLUMNS = [
    Column("returned_on", "Returned on", "date"),
    Column("receipt", "Receipt"),
    Column("customer", "Customer"),
    Column("kind", "Kind"),
    Column("code", "Return code"),
    Column("reason", "Reason"),
    Column("amount", "Payment", "money", total=True),
    Column("fee", "Fee charged", "money", total=True),
    Column("recorded_by", "Recorded by"),
]
RETURN_SORT = {
    "returned_on": "returned_on", "receipt": "payment_id", "customer": "payment__customer__name", "kind": "kind",
    "code": "reason_code", "reason": "reason", "amount": "payment__amount", "fee": "fee",
    "recorded_by": "recorded_by__username",
}  # fmt: skip


def nsf_returns(params: dict) -> ReportResult:
    fee = (
        JournalLine.objects.filter(entry_id=OuterRef("fee_entry_id"), gl_account__receivable=True)
        .values("entry_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    returns = PaymentReturn.objects.filter(
        returned_on__gte=params["date_from"], returned_on__lte=params["date_to"]
    ).annotate(fee=Subquery(fee))
    totals = returns.aggregate(amount=Sum("payment__amount"), n=Count("id"))
    fee_total = sum((money_or_zero(f) for f in returns.values_list("fee", flat=True)), money(0))
    kinds = dict(PaymentReturn._meta.get_field("kind").choices)
    query = returns.order_by(*order_by(params.get("sort", ""), RETURN_SORT, ["returned_on", "id"])).values_list(
        "returned_on", "payment_id", "payment__customer__name", "kind", "reason_code", "reason", "payment__amount",
        "fee", "recorded_by__username",
    )  # fmt: skip
    return ReportResult(
        columns=RETURN_COLUMNS,
        rows=QueryRows(
            query,
            lambda v: (
                v[0],
                f"R{v[1]:08d}",
                v[2],
                kinds.get(v[3], v[3]),
                v[4],
                v[5],
                money(v[6]),
                money_or_zero(v[7]),
                v[8],
            ),
        ),  # fmt: skip
        totals={"amount": money_or_zero(totals["amount"]), "fee": fee_total},
        row_count=totals["n"],
    )


define(
    key="nsf_returns", title="Returned payments (NSF)", group=GROUP, permission="reports.view_nsf_returns",
    columns=RETURN_COLUMNS, form=DateRangeForm, selector=nsf_returns,
    example=lambda today: {"date_from": today - timedelta(days=90), "date_to": today},
    description="Checks and ACH debits the bank returned unpaid, with the returned-payment fee charged.",
)  # fmt: skip
