"""Receivables: the aging (by bucket and customer class, in one SQL statement), the adjustments (with who asked and
who approved) and the write-offs with their agency referrals."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.db import connection
from django.db.models import Count, DateField, Max, Sum
from django.db.models.functions import Coalesce, TruncDate

from cistern.collections.models import WriteOff, WriteOffStatus
from cistern.core.money import money
from cistern.customers.models import Account, OccupancyType
from cistern.ledger import aging
from cistern.ledger.models import Adjustment, AdjustmentReason, AdjustmentStatus, JournalEntry, JournalLine
from cistern.ledger.selectors import receivable_gl

from .base import (
    ZERO,
    AsOfForm,
    DateRangeForm,
    QueryRows,
    ReportResult,
    define,
    list_result,
    money_or_zero,
    order_by,
)
from .registry import Column

GROUP = "Receivables"

# --- aging --------------------------------------------------------------------------------------------------------


class AgingForm(AsOfForm):
    customer_class = forms.ChoiceField(
        label="Customer class", required=False, choices=[("", "Every class"), *OccupancyType.choices]
    )


AGING_COLUMNS = [
    Column("customer_class", "Customer class"),
    Column("accounts", "Accounts", "int", total=True),
    *(Column(bucket, label, "money", total=True) for bucket, label in aging.LABELS.items()),
    Column("balance", "Balance", "money", total=True),
]

# The ledger's aging (ledger/aging.py) in SQL, for every account at once, in one pass over the receivable lines.
# Credits are applied to the oldest charges first, so what is open is the newest charges, as much of them as the
# balance: per account, the balance and the charges due in each bucket are summed, and the balance is then spread
# over the buckets from the newest ("not yet due") back. A reversal nets with what it reverses (journal_reverse
# mirrors every line): a charge whose entry is reversed by the day, and a reversing entry's charge lines (a returned
# payment's), are no charge; the balance counts them all. A credit balance is a negative "not yet due". The lines are
# read without a join to their entries (the entries after the day, the reversing and the reversed ones are few); a
# charge's entry date is looked up only when it has no due date.
BUCKET_SQL = [  # (bucket, the due dates in it), newest first
    ("not_due", "due >= %(as_of)s"),
    ("d1_30", "due < %(as_of)s AND due >= %(d30)s"),
    ("d31_60", "due < %(d30)s AND due >= %(d60)s"),
    ("d61_90", "due < %(d60)s AND due >= %(d90)s"),
    ("over_90", "due < %(d90)s"),
]


AGING_SQL = """
SELECT a.occupancy_type, COUNT(*), {spread}, SUM(t.balance)
FROM (
    SELECT account_id, SUM(amount) AS balance, {sums}
    FROM (
        SELECT l.account_id, l.amount,
               CASE WHEN l.amount > 0 THEN
                   COALESCE(l.due_date, (SELECT e.entry_date FROM {entry} e WHERE e.id = l.entry_id)) END AS due,
               CASE WHEN l.amount > 0 AND rev.id IS NULL AND rvd.reverses_id IS NULL THEN 1 ELSE 0 END AS charge
        FROM {line} l
        LEFT JOIN (SELECT id FROM {entry} WHERE entry_date > %(as_of)s) later ON later.id = l.entry_id
        LEFT JOIN (SELECT id FROM {entry} WHERE reverses_id IS NOT NULL) rev ON rev.id = l.entry_id
        LEFT JOIN (
            SELECT reverses_id FROM {entry} WHERE reverses_id IS NOT NULL AND entry_date <= %(as_of)s
        ) rvd ON rvd.reverses_id = l.entry_id
        WHERE l.gl_account_id = %(gl)s AND l.account_id IS NOT NULL AND later.id IS NULL
    ) lines
    GROUP BY account_id
) t
JOIN {account} a ON a.id = t.account_id
WHERE (t.balance >= 0.005 OR t.balance <= -0.005) {class_filter}
GROUP BY a.occupancy_type
ORDER BY a.occupancy_type
"""


def _clamp(value: str, high: str) -> str:
    return f"CASE WHEN {value} <= 0 THEN 0 WHEN {value} >= {high} THEN {high} ELSE {value} END"


def _aging_sql(class_filter: str) -> str:
    sums = ",\n".join(
        f"SUM(CASE WHEN charge = 1 AND {where} THEN amount ELSE 0 END) AS c_{name}"
        for name, where in BUCKET_SQL
    )
    spread, newer = [], []
    for name, _ in BUCKET_SQL:
        left = " - ".join(["(CASE WHEN t.balance > 0 THEN t.balance ELSE 0 END)", *newer])
        spread.append(f"SUM({_clamp(left, f't.c_{name}')})")
        newer.append(f"t.c_{name}")
    spread[0] = spread[0][:-1] + " + CASE WHEN t.balance < 0 THEN t.balance ELSE 0 END)"
    return AGING_SQL.format(
        spread=", ".join(spread), sums=sums, class_filter=class_filter, line=JournalLine._meta.db_table,
        entry=JournalEntry._meta.db_table, account=Account._meta.db_table,
    )  # fmt: skip


def _cents(value) -> Decimal:
    """A sum as SQL gave it: a Decimal (PostgreSQL) or binary floating point (SQLite sums NUMERIC as REAL) whose
    cents are exact once rounded."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = Decimal(str(round(value, 6)))
    return money(value)


def aging_by_class(params: dict) -> ReportResult:
    as_of = params["as_of"]
    class_filter = "AND a.occupancy_type = %(customer_class)s" if params.get("customer_class") else ""
    sql = _aging_sql(class_filter)
    values = {
        "gl": receivable_gl().pk, "as_of": as_of.isoformat(), "customer_class": params.get("customer_class") or "",
        **{f"d{n}": (as_of - timedelta(days=n)).isoformat() for n in (30, 60, 90)},
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        found = cursor.fetchall()
    labels = dict(OccupancyType.choices)
    rows = [(labels.get(kind, kind), count, *(_cents(v) for v in amounts)) for kind, count, *amounts in found]
    return list_result(rows, AGING_COLUMNS, params.get("sort", ""))


define(
    key="aging", title="Aging by customer class", group=GROUP, permission="reports.view_aging",
    columns=AGING_COLUMNS, form=AgingForm, selector=aging_by_class,
    example=lambda today: {"as_of": today},
    description="What customers owe on a day, by days past due (credits applied to the oldest charges first) "
    "and customer class.",
)  # fmt: skip

# --- adjustments --------------------------------------------------------------------------------------------------


class AdjustmentForm(DateRangeForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *AdjustmentStatus.choices]
    )
    reason = forms.ModelChoiceField(
        label="Reason", required=False, queryset=AdjustmentReason.objects.order_by("name"), to_field_name="code",
        empty_label="Any reason",
    )  # fmt: skip
    requested_by = forms.CharField(label="Requested by (user name)", required=False, max_length=150)


ADJUSTMENT_COLUMNS = [
    Column("day", "Date", "date"),
    Column("account", "Account"),
    Column("customer", "Customer"),
    Column("reason", "Reason"),
    Column("amount", "Amount (credit +)", "money", total=True),
    Column("status", "Status"),
    Column("requested_by", "Requested by"),
    Column("decided_by", "Approved or rejected by"),
    Column("memo", "Memo"),
]
ADJUSTMENT_SORT = {
    "day": "day", "account": "account__number", "customer": "account__customer__name", "reason": "reason__name",
    "amount": "amount", "status": "status", "requested_by": "requested_by__username",
    "decided_by": "decided_by__username", "memo": "memo",
}  # fmt: skip


def _dated(queryset, params):
    """Posted rows dated by their entry (the ledger's date), the others by the day they were asked for."""
    return queryset.annotate(
        day=Coalesce("entry__entry_date", TruncDate("requested_at"), output_field=DateField())
    ).filter(day__gte=params["date_from"], day__lte=params["date_to"])


def adjustments(params: dict) -> ReportResult:
    found = _dated(Adjustment.objects.all(), params)
    if params.get("status"):
        found = found.filter(status=params["status"])
    if params.get("reason"):
        found = found.filter(reason=params["reason"])
    if params.get("requested_by"):
        found = found.filter(requested_by__username__iexact=params["requested_by"].strip())
    totals = found.aggregate(amount=Sum("amount"), n=Count("id"))
    statuses = dict(AdjustmentStatus.choices)
    query = found.order_by(*order_by(params.get("sort", ""), ADJUSTMENT_SORT, ["day", "id"])).values_list(
        "day", "account__number", "account__customer__name", "reason__name", "amount", "status",
        "requested_by__username", "decided_by__username", "memo",
    )  # fmt: skip
    return ReportResult(
        columns=ADJUSTMENT_COLUMNS,
        rows=QueryRows(
            query, lambda v: (*v[:4], money(v[4]), statuses.get(v[5], v[5]), v[6], v[7] or "", v[8])
        ),
        totals={"amount": money_or_zero(totals["amount"])},
        row_count=totals["n"],
    )


define(
    key="adjustments", title="Adjustments", group=GROUP, permission="reports.view_adjustments",
    columns=ADJUSTMENT_COLUMNS, form=AdjustmentForm, selector=adjustments,
    example=lambda today: {"date_from": today - timedelta(days=30), "date_to": today},
    description="Credits and charges outside a bill, with who asked for each and who approved it (posted ones "
    "dated by their entry).",
)  # fmt: skip

# --- write-offs and agency referrals ------------------------------------------------------------------------------


class WriteOffForm(DateRangeForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *WriteOffStatus.choices]
    )
    referred = forms.ChoiceField(
        label="Agency", required=False,
        choices=[("", "Referred or not"), ("yes", "Referred to the agency"), ("no", "Not referred")],
    )  # fmt: skip


WRITE_OFF_COLUMNS = [
    Column("day", "Date", "date"),
    Column("account", "Account"),
    Column("customer", "Customer"),
    Column("amount", "Written off", "money", total=True),
    Column("status", "Status"),
    Column("requested_by", "Requested by"),
    Column("approved_by", "Approved by"),
    Column("agency", "Agency"),
    Column("referred_on", "Referred on", "date"),
    Column("collected", "Collected by the agency", "money", total=True),
]
WRITE_OFF_SORT = {
    "day": "day", "account": "account__number", "customer": "account__customer__name", "amount": "amount",
    "status": "status", "requested_by": "requested_by__username", "approved_by": "approved_by__username",
    "agency": "agency", "referred_on": "referred_on", "collected": "collected",
}  # fmt: skip


def write_offs(params: dict) -> ReportResult:
    found = _dated(WriteOff.objects.all(), params)
    if params.get("status"):
        found = found.filter(status=params["status"])
    if params.get("referred") == "yes":
        found = found.filter(referrals__isnull=False).distinct()
    elif params.get("referred") == "no":
        found = found.filter(referrals__isnull=True)
    totals = found.aggregate(amount=Sum("amount"), n=Count("id", distinct=True))
    collected = found.aggregate(collected=Sum("referrals__collected"))["collected"]
    statuses = dict(WriteOffStatus.choices)
    query = (
        found.annotate(
            agency=Max("referrals__agency"), referred_on=Max("referrals__referred_on"),
            collected=Sum("referrals__collected"),
        )
        .order_by(*order_by(params.get("sort", ""), WRITE_OFF_SORT, ["day", "id"]))
        .values_list("day", "account__number", "account__customer__name", "amount", "status",
                     "requested_by__username", "approved_by__username", "agency", "referred_on", "collected")
    )  # fmt: skip
    return ReportResult(
        columns=WRITE_OFF_COLUMNS,
        rows=QueryRows(
            query,
            lambda v: (
                *v[:3],
                money(v[3]),
                statuses.get(v[4], v[4]),
                v[5],
                v[6] or "",
                v[7] or "",
                v[8],
                money_or_zero(v[9]) if v[7] else ZERO,
            ),
        ),  # fmt: skip
        totals={"amount": money_or_zero(totals["amount"]), "collected": money_or_zero(collected)},
        row_count=totals["n"],
    )


define(
    key="write_offs", title="Write-offs and agency referrals", group=GROUP, permission="reports.view_write_offs",
    columns=WRITE_OFF_COLUMNS, form=WriteOffForm, selector=write_offs,
    example=lambda today: {"date_from": today - timedelta(days=365), "date_to": today},
    description="Final balances written off to bad debt (who asked, who approved) and what went to the "
    "collection agency.",
)  # fmt: skip
