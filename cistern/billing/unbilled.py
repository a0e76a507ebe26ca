"""Accounts not billed: the reads behind the lead's queue and the account page's "Held from billing" line.

An account is on the queue when the newest posted run of its cycle held something of it (no read, no rates
for a meter, the turn-on not completed), or when its service stopped more than `final_bill_days` ago and no
final bill stands. It stays there until a run bills it or its final bill is made: nothing a run could not
bill disappears without a word.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, Max, OuterRef, Q

from cistern.core import clock
from cistern.core.selectors import district_settings
from cistern.customers.models import Account, AccountStatus

from . import calculation, selectors
from .models import Bill, BillKind, BillRun, BillRunItem, LegacyBill, RunStatus, UnbilledReview

# How many posted runs of a cycle are looked back through to date a hold's start.
STREAK_RUNS = 13


@dataclass(frozen=True)
class Unbilled:
    account_id: int
    since: date  # held from billing since (the period end of the first run that held it, or the stop date)
    reason: str
    runs_in_a_row: int  # posted runs in a row that held it (0 for a stop with no final bill)


def _recent_runs_by_cycle() -> dict[int, list[BillRun]]:
    """Each cycle's posted runs, newest first, at most STREAK_RUNS of them."""
    # Monthly cycles: STREAK_RUNS runs reach about as many months back (an account held longer says so).
    recent = clock.today() - timedelta(days=31 * STREAK_RUNS)
    runs = list(
        BillRun.objects.filter(status=RunStatus.POSTED, period_end__gte=recent).order_by(
            "cycle_id", "-period_end", "-id"
        )
    )
    by_cycle: dict[int, list[BillRun]] = {}
    for run in runs:
        if len(by_cycle.setdefault(run.cycle_id, [])) < STREAK_RUNS:
            by_cycle[run.cycle_id].append(run)
    return by_cycle


def _held_by_newest_runs(by_cycle, account_ids: list[int] | None = None) -> dict[int, tuple[int, str]]:
    """account id -> (run id, reason) for the accounts the newest posted run of their cycle held."""
    newest = [found[0].pk for found in by_cycle.values()]
    items = BillRunItem.objects.filter(run_id__in=newest, has_exceptions=True)
    if account_ids is not None:
        items = items.filter(account_id__in=account_ids)
    held = {}
    for account_id, run_id, exceptions in items.values_list("account_id", "run_id", "exceptions"):
        holds = [(c, m) for c, m in calculation.holds(exceptions) if c != "no_final_bill"]
        if holds:
            held[account_id] = (run_id, "; ".join(m for _, m in holds))
    return held


def _held_items(account_ids: list[int] | None = None) -> list[Unbilled]:
    """Accounts held by the newest posted run of their cycle, with how many posted runs in a row held them."""
    by_cycle = _recent_runs_by_cycle()
    held = _held_by_newest_runs(by_cycle, account_ids)
    if not held:
        return []
    period_ends = {run.pk: run.period_end for found in by_cycle.values() for run in found}
    order = {run.pk: (found, i) for found in by_cycle.values() for i, run in enumerate(found)}
    earlier = {
        (account_id, run_id): exceptions
        for account_id, run_id, exceptions in BillRunItem.objects.filter(
            account_id__in=list(held), run_id__in=list(period_ends)
        ).values_list("account_id", "run_id", "exceptions")
    }
    found = []
    for account_id, (run_id, reason) in held.items():
        cycle_runs, _ = order[run_id]
        streak = 0
        for run in cycle_runs:
            exceptions = earlier.get((account_id, run.pk))
            if exceptions is None or not [
                c for c, _ in calculation.holds(exceptions) if c != "no_final_bill"
            ]:
                break
            streak += 1
        since = period_ends[cycle_runs[streak - 1].pk]
        found.append(Unbilled(account_id, since, reason, streak))
    return found


def _stopped_without_final_bill(account_ids: list[int] | None = None) -> list[Unbilled]:
    days = district_settings().final_bill_days
    return [
        Unbilled(
            account_id,
            end_date,
            f"Service stopped on {end_date:%m/%d/%Y}: no final bill after {(clock.today() - end_date).days} days "
            f"(the district's limit is {days}).",
            0,
        )  # fmt: skip
        for account_id, end_date in _stopped_accounts(days, account_ids)
    ]


def _stopped_accounts(days: int, account_ids: list[int] | None = None) -> list[tuple[int, date]]:
    """(account id, end date) of the stopped accounts past the final-bill limit with no final bill."""
    cutoff = clock.today() - timedelta(days=days)
    stopped = Account.objects.filter(
        status__in=[AccountStatus.FINAL, AccountStatus.CLOSED], end_date__lte=cutoff
    ).order_by()
    final_bills = Bill.objects.filter(kind=BillKind.FINAL, cancellation__isnull=True)
    if account_ids is not None:
        stopped = stopped.filter(pk__in=account_ids)
        final_bills = final_bills.filter(account_id__in=account_ids)
    # Only accounts billed by this system at some time, or in service after it began billing: an account
    # closed in the prior system long ago has nothing to final-bill here.
    first_run = BillRun.objects.filter(status=RunStatus.POSTED).order_by("period_end").values_list(
        "period_end", flat=True
    ).first()  # fmt: skip
    if first_run is None:
        return []
    began = selectors.period_start_for(first_run)
    stopped = stopped.filter(Q(end_date__gt=began) | Exists(Bill.objects.filter(account=OuterRef("pk"))))
    # The final bills are read apart (a partial index holds them): as a NOT EXISTS the planner guessed a handful
    # and compared every stopped account with every final bill (seen: 0.5 s at 100,000 accounts).
    final_billed = set(final_bills.values_list("account_id", flat=True))
    # A converted account's final bill may be the previous system's (its period reaches the end date).
    legacy_final = LegacyBill.objects.filter(is_final=True)
    if account_ids is not None:
        legacy_final = legacy_final.filter(account_id__in=account_ids)
    final_billed.update(legacy_final.values_list("account_id", flat=True))
    return [(pk, end) for pk, end in stopped.values_list("id", "end_date") if pk not in final_billed]


def not_billed_count() -> int:
    """How many accounts are on the queue (the home page's count): the same accounts as accounts_not_billed()
    without the streaks, names and last bills it shows."""
    held = set(_held_by_newest_runs(_recent_runs_by_cycle()))
    held.update(pk for pk, _ in _stopped_accounts(district_settings().final_bill_days))
    return len(held)


def accounts_not_billed() -> list[dict]:
    """The lead's queue: each account with its last bill date, days since, reason, who is looking at it and
    whether two runs in a row held it, longest waiting first."""
    found = _held_items() + _stopped_without_final_bill()
    ids = [u.account_id for u in found]
    accounts = Account.objects.select_related("customer", "premise").in_bulk(ids)
    last_bills = dict(
        Bill.objects.filter(account_id__in=ids, cancellation__isnull=True)
        .values("account_id")
        .annotate(last=Max("bill_date"))
        .values_list("account_id", "last")
    )
    reviews = {
        r.account_id: r for r in UnbilledReview.objects.filter(account_id__in=ids).select_related("looking")
    }
    rows = []
    for u in sorted(found, key=lambda u: (u.since, u.account_id)):
        last = last_bills.get(u.account_id)
        rows.append({
            "account": accounts[u.account_id], "since": u.since, "reason": u.reason, "last_bill_date": last,
            "days_since": (clock.today() - last).days if last else None, "runs_in_a_row": u.runs_in_a_row,
            "twice": u.runs_in_a_row >= 2, "review": reviews.get(u.account_id),
        })  # fmt: skip
    return rows


def held_from_billing(account_id: int) -> Unbilled | None:
    """Why the account is on the Accounts not billed queue, and since when; None when it is not."""
    found = _held_items([account_id]) + _stopped_without_final_bill([account_id])
    return found[0] if found else None
