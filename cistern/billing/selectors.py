"""Reads for billing: a cycle's accounts and their facts for a period (in a handful of queries for the whole
cycle), bills and their lines, runs and their items."""

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Max, Q, Sum

from cistern.core.money import money
from cistern.customers.models import Account, AccountStatus
from cistern.ledger import selectors as ledger_selectors
from cistern.metering.models import MeterInstallation, Read, ReadKind, ReadStatus

from . import calculation
from .models import Bill, BillCycle, BillMeter, BillRun, BillRunItem

# A period's read is one taken within this many days before the period end (a late read still bills this
# period; an earlier one belongs to the last).
READ_WINDOW_DAYS = 20
# Reads further back than this are summed in a second query (a first bill after a long vacancy).
RECENT_DAYS = 100


def _installations(where: Q, period_end: date) -> list[dict]:
    """Installations (matching `where`) in service during the period's read window, as facts need them."""
    return list(
        MeterInstallation.objects.filter(where, installed_on__lte=period_end)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=period_end - timedelta(days=READ_WINDOW_DAYS)))
        .values(
            "id", "removed_on", "meter__serial", "meter__size", "service_point__kind", "service_point__premise_id",
            "installed_on", "initial_value",
        )
        .order_by("id")
    )  # fmt: skip


def cycle_installations(cycle: BillCycle, *, period_end: date) -> list[dict]:
    """Installations at the cycle's service points in service during the read window."""
    return _installations(Q(service_point__route__cycle_route__cycle=cycle), period_end)


def _billed_through(installation_ids: list[int]) -> dict[int, tuple]:
    """Each installation's last billed span end: (to_read id, date, value)."""
    last = (
        BillMeter.objects.filter(installation_id__in=installation_ids)
        .values("installation_id")
        .annotate(last=Max("id"))
        .order_by()
    )
    ids = [row["last"] for row in last]
    return {
        row["installation_id"]: (row["to_read_id"], row["to_date"], row["to_value"])
        for row in BillMeter.objects.filter(id__in=ids).values("installation_id", "to_read_id", "to_date", "to_value")
    }  # fmt: skip


def _reads(installation_ids: list[int], since: date, until: date) -> dict[tuple[int, int], list[dict]]:
    """Accepted reads of the installations in (since, until], by (installation, account), in date order."""
    found: dict[tuple[int, int], list[dict]] = defaultdict(list)
    rows = (
        Read.objects.filter(
            installation_id__in=installation_ids, status=ReadStatus.ACCEPTED, read_on__gt=since, read_on__lte=until
        )
        .values("id", "installation_id", "account_id", "read_on", "value", "kind", "consumption")
        .order_by("installation_id", "read_on")
    )  # fmt: skip
    for row in rows:
        found[(row["installation_id"], row["account_id"])].append(row)
    return found


def cycle_facts(cycle: BillCycle, *, period_end: date) -> list[calculation.AccountFacts]:
    """Every active account in the cycle with its meter spans for the period ending `period_end`."""
    installations = cycle_installations(cycle, period_end=period_end)
    premises = list({inst["service_point__premise_id"] for inst in installations})
    accounts = list(
        Account.objects.filter(status=AccountStatus.ACTIVE, premise_id__in=premises, start_date__lt=period_end)
        .values("id", "premise_id", "occupancy_type", "start_date")
        .order_by("id")
    )  # fmt: skip
    return _facts(installations, accounts, period_end)


def final_read_date(account: Account) -> date | None:
    """The date of the account's accepted final read, if it has one."""
    return (
        Read.objects.filter(account=account, status=ReadStatus.ACCEPTED, kind=ReadKind.FINAL)
        .order_by("-read_on")
        .values_list("read_on", flat=True)
        .first()
    )


def account_facts(account: Account, *, period_end: date) -> calculation.AccountFacts:
    """One account's facts to `period_end` (its final bill), whatever its status."""
    installations = _installations(Q(service_point__premise_id=account.premise_id), period_end)
    row = {
        "id": account.pk, "premise_id": account.premise_id, "occupancy_type": account.occupancy_type,
        "start_date": account.start_date,
    }  # fmt: skip
    return _facts(installations, [row], period_end)[0]


def _facts(
    installations: list[dict], accounts: list[dict], period_end: date
) -> list[calculation.AccountFacts]:
    by_premise: dict[int, list[dict]] = defaultdict(list)
    for inst in installations:
        by_premise[inst["service_point__premise_id"]].append(inst)
    ids = [inst["id"] for inst in installations]
    billed = _billed_through(ids)
    recent_since = period_end - timedelta(days=RECENT_DAYS)
    reads = _reads(ids, recent_since, period_end)
    last_year = last_year_charges([a["id"] for a in accounts], period_end)
    window_start = period_end - timedelta(days=READ_WINDOW_DAYS)
    facts, old = [], []
    for account in accounts:
        spans, unread = [], []
        for inst in by_premise[account["premise_id"]]:
            span = _span(account, inst, billed.get(inst["id"]), reads.get((inst["id"], account["id"]), []),
                         window_start)  # fmt: skip
            if span is None:
                if inst["removed_on"] is None:
                    unread.append(inst["meter__serial"])
                continue
            if span.from_date <= recent_since:
                old.append((len(facts), len(spans), inst, account))
            spans.append(span)
        facts.append(
            calculation.AccountFacts(account["id"], tuple(spans), tuple(unread), last_year.get(account["id"]))
        )
    return _with_old_usage(facts, old, period_end)


def _span(account: dict, inst: dict, billed: tuple | None, reads: list[dict], window_start: date):
    """The span from the last billed read (or the account's first read, or the installation) to the newest
    unbilled read in the window; None when there is no such read."""
    closing = [r for r in reads if r["read_on"] > window_start]
    if not closing:
        return None
    to = closing[-1]
    if billed is not None and billed[0] == to["id"]:
        return None  # already billed
    if billed is not None and billed[1] >= account["start_date"]:
        from_id, from_date, from_value = billed
    else:
        first = next(
            (r for r in reads if r["read_on"] >= account["start_date"] and r["id"] != to["id"]), None
        )
        if first is not None and first["read_on"] < to["read_on"]:
            from_id, from_date, from_value = first["id"], first["read_on"], first["value"]
        elif inst["installed_on"] >= account["start_date"]:
            from_id, from_date, from_value = None, inst["installed_on"], inst["initial_value"]
        else:
            from_id, from_date, from_value = None, account["start_date"], None
    if from_date >= to["read_on"]:
        return None
    units = _units(reads, from_date, to["read_on"])
    return calculation.MeterSpan(
        installation_id=inst["id"], serial=inst["meter__serial"], size=inst["meter__size"],
        rate_class=calculation.rate_class_for(inst["service_point__kind"], account["occupancy_type"]),
        from_read_id=from_id, from_date=from_date, from_value=from_value if from_value is not None else to["value"],
        to_read_id=to["id"], to_date=to["read_on"], to_value=to["value"], units=units,
        estimated=to["kind"] == ReadKind.ESTIMATED,
    )  # fmt: skip


def _units(reads: list[dict], after: date, until: date) -> Decimal:
    """Units used between two reads: the consumption metering stored on each accepted read in (after, until]."""
    return sum((r["consumption"] or 0 for r in reads if after < r["read_on"] <= until), Decimal("0.00"))


def _with_old_usage(facts, old, period_end):
    """Spans starting before the recent reads: their units summed from a second query over their own reads."""
    if not old:
        return facts
    since = min(facts[f].spans[s].from_date for f, s, _, _ in old)
    reads = _reads([inst["id"] for _, _, inst, _ in old], since - timedelta(days=1), period_end)
    for f, s, inst, account in old:
        spans = list(facts[f].spans)
        own = reads.get((inst["id"], account["id"]), [])
        spans[s] = replace(spans[s], units=_units(own, spans[s].from_date, spans[s].to_date))
        facts[f] = replace(facts[f], spans=tuple(spans))
    return facts


def closing_read(
    installation_id: int, account_id: int, *, after: date, until: date
) -> tuple[dict, Decimal] | None:
    """The account's newest accepted read of the installation in (after, until], and the units used since
    `after` (a rebill's span: the read that stands now, where a corrected read replaced the billed one)."""
    reads = list(
        Read.objects.filter(
            installation_id=installation_id, account_id=account_id, status=ReadStatus.ACCEPTED,
            read_on__gt=after, read_on__lte=until,
        )
        .order_by("read_on")
        .values("id", "read_on", "value", "kind", "consumption")
    )  # fmt: skip
    if not reads:
        return None
    return reads[-1], _units(reads, after, until)


def last_year_charges(account_ids: list[int], period_end: date) -> dict[int, Decimal]:
    """Each account's current charges on its bill for the same period a year earlier (not cancelled)."""
    year_ago = period_end - timedelta(days=365)
    rows = Bill.objects.filter(
        account_id__in=account_ids, period_end__gte=year_ago - timedelta(days=15),
        period_end__lte=year_ago + timedelta(days=15), cancellation__isnull=True,
    ).values_list("account_id", "current_charges")  # fmt: skip
    return dict(rows)


def previous_due(account_id: int) -> Decimal:
    """The amount due on the account's latest bill that stands (not cancelled): as _BATCH_SQL finds it."""
    due = (
        Bill.objects.filter(account_id=account_id, cancellation__isnull=True)
        .order_by("-period_end", "-id")
        .values_list("amount_due", flat=True)
        .first()
    )
    return Decimal("0.00") if due is None else due


class BatchAccount(NamedTuple):
    language: str
    owed: Decimal  # what the account owes before this bill: its receivable lines and any opening balance
    previous_due: Decimal  # the amount due on its latest bill that stands


# One query for everything a posting batch needs of its accounts: a batch's ids travel as a range of items,
# not as thousands of parameters. The sum of the balance sources customers.balances registers (the ledger's
# receivable and the converted opening balance), written out so the database does it in one pass.
_BATCH_SQL = """
SELECT i.account_id, c.preferred_language,
    (SELECT sum(l.amount) FILTER (WHERE l.gl_account_id = %s) FROM ledger_journalline l
        WHERE l.account_id = i.account_id),
    (SELECT o.amount FROM customers_openingbalance o WHERE o.account_id = i.account_id),
    (SELECT b.amount_due FROM billing_bill b WHERE b.account_id = i.account_id
        AND NOT EXISTS (SELECT 1 FROM billing_billcancellation x WHERE x.bill_id = b.id)
        ORDER BY b.period_end DESC, b.id DESC LIMIT 1)
FROM billing_billrunitem i
JOIN customers_account a ON a.id = i.account_id
JOIN customers_customer c ON c.id = a.customer_id
WHERE i.run_id = %s AND i.id >= %s AND i.id <= %s AND i.billable
"""


def batch_accounts(run_id: int, first_item: int, last_item: int) -> dict[int, BatchAccount]:
    receivable = ledger_selectors.receivable_gl().pk
    with connection.cursor() as cursor:
        cursor.execute(_BATCH_SQL, [receivable, run_id, first_item, last_item])
        rows = cursor.fetchall()
    return {
        account_id: BatchAccount(language or "en", _cents(owed) + _cents(opening), _cents(previous))
        for account_id, language, owed, opening, previous in rows
    }


def _cents(value) -> Decimal:
    """A database sum as cents: SQLite sums NUMERIC as binary floating point."""
    return money(Decimal(str(value))) if value is not None else Decimal("0.00")


# --- pages -------------------------------------------------------------------------------------------------


def run_summary(run: BillRun) -> dict:
    items = run.items.all()
    totals = items.filter(billable=True).aggregate(bills=Count("id"), amount=Sum("total"), units=Sum("units"))
    by_code: dict[str, int] = defaultdict(int)
    for exceptions in items.filter(has_exceptions=True).values_list("exceptions", flat=True):
        for code, _ in exceptions:
            by_code[code] += 1
    return {
        "accounts": items.count(),
        "billable": totals["bills"] or 0,
        "held": items.filter(billable=False).count(),
        "amount": _cents(totals["amount"]),
        "units": _cents(totals["units"]),
        "exceptions": {calculation.EXCEPTION_NAMES.get(c, c): n for c, n in sorted(by_code.items())},
        "posted": run.bills.count(),
    }


def run_exception_items(run: BillRun, limit: int = 200) -> list[BillRunItem]:
    return list(
        run.items.filter(has_exceptions=True).select_related("account__customer", "account__premise")[:limit]
    )


def account_bills(account_id: int, limit: int = 24) -> list[Bill]:
    return list(
        Bill.objects.filter(account_id=account_id)
        .select_related("cancellation")
        .order_by("-period_end", "-id")[:limit]
    )


def bills_with_lines():
    """Bills with what their page, PDF and API show: account, customer, premise, run, lines and meters."""
    return Bill.objects.select_related(
        "account__customer", "account__premise", "run__cycle", "cancellation"
    ).prefetch_related("lines", "meters")


def usage_history(account_id: int, until: date, months: int = 13) -> list[tuple[date, Decimal]]:
    """Units billed per bill over the last `months` months, oldest first (the bill's chart)."""
    since = until - timedelta(days=months * 31)
    rows = (
        Bill.objects.filter(
            account_id=account_id, period_end__gt=since, period_end__lte=until, cancellation__isnull=True
        )
        .order_by("period_end")
        .values_list("period_end", "units")
    )
    return list(rows)
