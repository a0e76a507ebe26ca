"""The dashboard's figures: today's payments by channel, open service orders by type (and how many are overdue),
the exceptions waiting in the other apps' queues, and the twelve-month trends (billed revenue and consumption by
bill month; past-due amount and accounts at each month end).

Every figure is a GROUP BY over an indexed or small source, never a loop over accounts. The twelve-month series
read a year of bills and the whole receivable ledger, so they are kept in Django's cache: a month gone by (or a
month end) for weeks, today's month (and the newest month end) for the day or until the next bill; the exceptions'
counts for a minute. Only the first view after a restart pays for all twelve months (seconds at 100,000 accounts;
bench/home.py times it).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from cistern.billing.models import Bill, BillCancellation, BillRun
from cistern.core import clock, queues
from cistern.fieldwork import lifecycle
from cistern.fieldwork.models import ServiceOrder
from cistern.ledger.models import JournalLine
from cistern.ledger.selectors import receivable_gl
from cistern.payments.models import Channel, Payment, PaymentStatus

ZERO = Decimal("0.00")
MONTHS = 12
UNSCHEDULED_DAYS = 5  # an order nobody has put on a day this many days after it was asked for is overdue
# The queues whose waiting items the dashboard counts (each app's own counter, core/queues.py).
EXCEPTION_QUEUES = ["read_exceptions", "accounts_not_billed", "lockbox_suspense", "returned_mail"]
DAY = 24 * 60 * 60
MONTH_KEPT = 35 * DAY  # a month end or a month gone by: its figures are kept this long
WAITING_SECONDS = 60


def cents(value) -> Decimal:
    """A database sum as money (SQLite sums NUMERIC as floating point; None is nothing)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    label: str
    count: int
    amount: Decimal


def payments_today(today: date) -> list[ChannelRow]:
    """The payments taken today (posted, in the books today), by channel, in the channels' order."""
    rows = (
        Payment.objects.filter(received_on=today, status=PaymentStatus.POSTED)
        .values("channel")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    found = {row["channel"]: row for row in rows}
    return [
        ChannelRow(c.value, c.label, found[c.value]["n"], cents(found[c.value]["total"]))
        for c in Channel
        if c.value in found
    ]


@dataclass(frozen=True)
class OrderRow:
    type_name: str
    open: int
    overdue: int


def overdue_q(today: date) -> Q:
    """An open order is overdue when its day has passed, or when no day was given it UNSCHEDULED_DAYS after it
    was asked for."""
    return Q(scheduled_on__lt=today) | Q(
        scheduled_on__isnull=True, requested_on__lt=today - timedelta(days=UNSCHEDULED_DAYS)
    )


def open_orders(today: date) -> list[OrderRow]:
    rows = (
        ServiceOrder.objects.filter(status__in=lifecycle.ACTIVE)
        .values("order_type__name")
        .annotate(n=Count("id"), late=Count("id", filter=overdue_q(today)))
        .order_by("order_type__name")
    )
    return [OrderRow(row["order_type__name"], row["n"], row["late"]) for row in rows]


@dataclass(frozen=True)
class Waiting:
    key: str
    title: str
    count: int
    url_name: str | None  # the queue's page, when the user may open it


def exceptions_waiting(user) -> list[Waiting]:
    """What waits in the read-exception, not-billed, lockbox-suspense and returned-mail queues (each app's own
    count, as its home-page queue counts it), with the page when `user` may open it. These four counts are the
    same for everyone; they are kept a minute (WAITING_SECONDS), so a dashboard left open and its viewers share them
    (accounts not billed takes about half a second at 100,000 accounts)."""
    registered = [(key, queues.get(key)) for key in EXCEPTION_QUEUES]
    registered = [(key, queue) for key, queue in registered if queue is not None]
    cache_key = f"reports:dashboard:waiting:{clock.today().isoformat()}"
    counts = cache.get(cache_key)
    if counts is None:
        counts = {key: queue.count(user) or 0 for key, queue in registered}
        cache.set(cache_key, counts, WAITING_SECONDS)
    return [
        Waiting(
            key, queue.title, counts.get(key, 0), queue.url_name if user.has_perm(queue.permission) else None
        )
        for key, queue in registered
    ]


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the `months` months ending with today's month, oldest first."""
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def month_ends(today: date, months: int = MONTHS) -> list[date]:
    """The last days of the `months` months before today's month, oldest first."""
    return [start - timedelta(days=1) for start in month_starts(today, months)]


@dataclass(frozen=True)
class MonthBills:
    month: date  # its first day
    revenue: Decimal  # the bills' current charges (cancelled bills left out; a rebill counts in its month)
    units: Decimal  # HCF billed
    bills: int


def monthly_bills(today: date) -> list[MonthBills]:
    """Billed revenue and consumption by bill month, the 12 months ending with today's month. The months gone by
    are kept in the cache (until a bill is cancelled, or MONTH_KEPT); today's month is kept until the next bill or
    cancellation, and is read through its bill runs (an index), not a scan of every bill."""
    starts = month_starts(today)
    cancelled = BillCancellation.objects.aggregate(m=Max("id"))["m"]
    newest_bill = Bill.objects.aggregate(m=Max("id"))["m"]
    keys = {start: f"reports:dashboard:bills:{start.isoformat()}:{cancelled}" for start in starts[:-1]}
    keys[starts[-1]] = f"reports:dashboard:bills:{today.isoformat()}:{newest_bill}:{cancelled}"
    found = {start: cache.get(key) for start, key in keys.items()}
    missing = [start for start, value in found.items() if value is None]
    if missing:
        for month in _monthly_bills(missing):
            found[month.month] = month
            cache.set(keys[month.month], month, DAY if month.month == starts[-1] else MONTH_KEPT)
    return [found[start] for start in starts]


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _monthly_bills(starts: list[date]) -> list[MonthBills]:
    """The bills of the months beginning on `starts` (cancelled ones left out), by month: a bill run's bills found
    through the runs of those months, a bill of no run (a final bill, a rebill) by its date."""
    first, after = min(starts), _next_month(max(starts))
    runs = list(
        BillRun.objects.filter(bill_date__gte=first, bill_date__lt=after).values_list("id", flat=True)
    )
    rows = (
        Bill.objects.filter(Q(run_id__in=runs) | Q(run__isnull=True))
        .filter(bill_date__gte=first, bill_date__lt=after, cancellation__isnull=True)
        .annotate(month=TruncMonth("bill_date"))
        .values("month")
        .annotate(revenue=Sum("current_charges"), used=Sum("units"), n=Count("id"))
        .order_by()
    )
    by_month = {}
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") and callable(month.date) else month
        by_month[month] = row
    return [
        MonthBills(
            start,
            cents(by_month[start]["revenue"]) if start in by_month else ZERO,
            cents(by_month[start]["used"]) if start in by_month else ZERO,
            by_month[start]["n"] if start in by_month else 0,
        )
        for start in starts
    ]


@dataclass(frozen=True)
class MonthEnd:
    day: date
    past_due: Decimal  # what was owing past its due date on that day, over all accounts
    accounts: int  # accounts with something past due


def delinquency_trend(today: date) -> list[MonthEnd]:
    """Past-due amount and accounts at each of the 12 month ends before today's month. A month end's figures are
    kept in the cache (MONTH_KEPT); the newest one is worked out again each day (a bill run posted in the first
    days of a month is dated in the month before). Only the month ends not in the cache are computed, in one pass."""
    ends = month_ends(today)
    keys = {
        day: f"reports:dashboard:past_due:{day.isoformat()}"
        + (f":{today.isoformat()}" if day == ends[-1] else "")
        for day in ends
    }
    found = {day: cache.get(key) for day, key in keys.items()}
    missing = [day for day, value in found.items() if value is None]
    if missing:
        for figures in _delinquency(missing):
            found[figures.day] = figures
            cache.set(keys[figures.day], figures, DAY if figures.day == ends[-1] else MONTH_KEPT)
    return [found[day] for day in ends]


def _delinquency(ends: list[date]) -> list[MonthEnd]:
    """One pass over the receivable ledger. On a day D an account's past-due amount is its balance less its
    charges not yet due (due on or after D, not reversed by D), when that is positive: credits pay the oldest
    charges first (ledger/aging.py), so what is still open is the newest, and of that, what is past due is what
    is not among the charges still to fall due."""
    due = Coalesce("due_date", "entry__entry_date")
    reversed_on = F("entry__reversed_by__entry_date")
    money = DecimalField(max_digits=14, decimal_places=2)
    sums = {}
    for i, day in enumerate(ends):
        on_books = Q(entry__entry_date__lte=day)
        sums[f"b{i}"] = Coalesce(Sum("amount", filter=on_books), Value(ZERO), output_field=money)
        not_due = (
            on_books
            & Q(amount__gt=0, due_on__gte=day)
            & (Q(entry__reversed_by__isnull=True) | Q(reversed_on__gt=day))
        )
        sums[f"n{i}"] = Coalesce(Sum("amount", filter=not_due), Value(ZERO), output_field=money)
    per_account = (
        JournalLine.objects.filter(
            gl_account_id=receivable_gl().pk, account__isnull=False, entry__entry_date__lte=ends[-1]
        )
        .annotate(due_on=due, reversed_on=reversed_on)
        .values("account_id")
        .annotate(**sums)
        .order_by()
    )
    inner, params = per_account.query.sql_with_params()
    columns = []
    for i in range(len(ends)):
        owed = f'(t."b{i}" - t."n{i}")'
        columns.append(f"SUM(CASE WHEN {owed} > 0 THEN {owed} ELSE 0 END)")
        columns.append(f"SUM(CASE WHEN {owed} > 0 THEN 1 ELSE 0 END)")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # compiling this wide aggregate costs more than it saves
        cursor.execute(f"SELECT {', '.join(columns)} FROM ({inner}) t", params)  # noqa: S608 (our own SQL)
        row = cursor.fetchone()
    return [MonthEnd(day, cents(row[2 * i]), int(row[2 * i + 1] or 0)) for i, day in enumerate(ends)]
