"""Reads for the conversion: what the database holds after it, in the reconciliation's figures."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from cistern.billing.models import BillCycle, CycleRoute, LegacyBill
from cistern.customers.models import Account, AccountStatus, Customer, Premise
from cistern.ledger.aging import Movement
from cistern.ledger.models import GLRole, JournalLine
from cistern.metering.models import Meter, MeterStatus, Read, Route, ServicePoint
from cistern.payments.models import AutopayEnrolment

from .reconciliation import receivable_by_bucket


def loaded_figures(as_of: date) -> dict[str, Decimal]:
    """The reconciliation's figures as the database holds them: the receivable by age on `as_of` (each line
    by its own due date), deposits held, accounts by status and by cycle, meters and meters by size."""
    # Every receivable line (the district's books held none before the conversion), in one pass; nothing
    # is reversed yet, so each line is a movement as the ledger's aging takes it.
    movements = defaultdict(list)
    lines = JournalLine.objects.filter(gl_account__receivable=True).order_by("entry__entry_date", "id")
    for account_id, amount, due, day in lines.values_list(
        "account_id", "amount", "due_date", "entry__entry_date"
    ).iterator(chunk_size=10_000):
        movements[account_id].append(Movement(day, amount, due))
    figures = receivable_by_bucket(movements, as_of)
    figures = {k: v.quantize(Decimal("0.01")) for k, v in figures.items()}
    held = JournalLine.objects.filter(gl_account__role=GLRole.DEPOSITS_HELD).aggregate(total=Sum("amount"))
    figures["deposits_held"] = (-(held["total"] or Decimal(0))).quantize(Decimal("0.01"))
    statuses = dict(Account.objects.values_list("status").annotate(n=Count("id")).order_by())
    for status in (AccountStatus.ACTIVE, AccountStatus.FINAL, AccountStatus.CLOSED):
        figures[f"accounts_{status}"] = Decimal(statuses.get(status, 0))
    meters = Meter.objects.filter(status=MeterStatus.INSTALLED)
    figures["meters"] = Decimal(meters.count())
    for size, count in meters.values_list("size").annotate(n=Count("id")).order_by("size"):
        figures[f"meters_size_{size}"] = Decimal(count)
    figures.update(_accounts_by_cycle())
    return figures


def _accounts_by_cycle() -> dict[str, Decimal]:
    """Accounts per cycle: an account's cycle is its premise's (first) meter's route's cycle."""
    cycle_of_route = dict(CycleRoute.objects.values_list("route_id", "cycle__code"))
    premise_cycle: dict[int, str] = {}
    for premise_id, route_id in (
        ServicePoint.objects.filter(route__isnull=False).order_by("id").values_list("premise_id", "route_id")
    ):
        premise_cycle.setdefault(premise_id, cycle_of_route.get(route_id))
    counts: dict[str, int] = defaultdict(int)
    for premise_id, n in Account.objects.values_list("premise_id").annotate(n=Count("id")).order_by():
        counts[premise_cycle.get(premise_id)] += n
    return {
        f"accounts_cycle_{code}": Decimal(counts.get(code, 0))
        for code in BillCycle.objects.order_by("code").values_list("code", flat=True)
    }


def loaded_rows() -> dict[str, int]:
    """Rows in the tables each file loads into (the database was empty before the conversion)."""
    return {
        "customers.csv": Customer.objects.count(),
        "premises.csv": Premise.objects.count(),
        "cycles.csv": BillCycle.objects.count(),
        "routes.csv": Route.objects.count(),
        "meters.csv": Meter.objects.count(),
        "accounts.csv": Account.objects.count(),
        "reads.csv": Read.objects.count(),
        "bills.csv": LegacyBill.objects.count(),
        "open_items.csv": JournalLine.objects.filter(
            gl_account__receivable=True, entry__source_kind="opening_balance"
        ).count(),
        "autopay.csv": AutopayEnrolment.objects.count(),
    }
