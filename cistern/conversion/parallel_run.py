"""A parallel run: Cistern's trial bills for a period, calculated by the bill run's own code without a run, set
beside the previous system's (parallel.compare) and kept as a ParallelRun. Nothing is posted, no BillRun or
trial item is written: the only row written is the ParallelRun (and its audit row).

Cistern's side is the same code a bill run calculates with (billing.selectors.cycle_facts, runs.rating_for,
Rating.propose): a few queries per cycle for all its accounts, then pure rating, remembered per meter and
usage. That is the point of a parallel run: what it compares is what a run would bill.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from cistern.billing import calculation, selectors
from cistern.billing.models import BillCycle
from cistern.billing.runs import rating_for
from cistern.core.audit import audit_record
from cistern.core.bulk import among
from cistern.core.permissions import require
from cistern.customers.models import Account
from cistern.metering.models import ServicePoint
from cistern.rates import selectors as rates_selectors

from . import parallel
from .models import ParallelRun


class ParallelRefused(Exception):
    """The comparison cannot run as asked (a cycle that does not exist); the message says why."""


@dataclass
class CisternSide:
    bills: list[parallel.CisternBill] = field(default_factory=list)
    not_billed: list[parallel.NotBilled] = field(default_factory=list)


# Values named to the database at a time (SQLite caps a statement's parameters; PostgreSQL takes an array).
BATCH = 900


def _among(queryset, field: str, values: list, columns: tuple[str, ...]):
    """`columns` of `queryset`'s rows whose `field` is one of `values` (PostgreSQL: at once, as one array;
    SQLite: a batch at a time)."""
    size = max(len(values), 1) if connection.vendor == "postgresql" else BATCH
    for begin in range(0, len(values), size):
        yield from among(queryset, field, values[begin : begin + size]).values_list(*columns)


def _joined(values) -> str:
    return ", ".join(dict.fromkeys(values))  # distinct, in order


def _not_billed_why(proposal: calculation.Proposal) -> str:
    if proposal.disposition == calculation.Disposition.FINAL_BILLED:
        found = [m for code, m in proposal.exceptions if code == "final_billed"]
        return found[0] if found else "final-billed outside the run."
    held = calculation.holds(proposal.exceptions) or list(proposal.exceptions)
    return " ".join(message for _, message in held) or "held by the trial."


def cistern_side(cycles: list[BillCycle], *, period_end: date) -> CisternSide:
    """Every account of `cycles` as a run for `period_end` would propose it: billed (with its lines, units and
    days) or not billed (held, final-billed) with the trial's reason."""
    side = CisternSide()
    for cycle in cycles:
        facts = selectors.cycle_facts(cycle, period_end=period_end)
        if not facts:
            continue
        rating = rating_for(facts, period_end)
        ids = [f.account_id for f in facts]
        numbers = {
            pk: (number, legacy)
            for pk, number, legacy in _among(
                Account.objects.all(), "id", ids, ("id", "number", "legacy_number")
            )
        }
        for f in facts:
            proposal = rating.propose(f)
            number, legacy = numbers[f.account_id]
            if proposal.disposition != calculation.Disposition.BILLED:
                side.not_billed.append(parallel.NotBilled(number, legacy, _not_billed_why(proposal)))
                continue
            side.bills.append(
                parallel.CisternBill(
                    account=number, legacy_number=legacy, units=proposal.units,
                    days=(proposal.period_end - proposal.period_start).days,
                    meter_size=_joined(s.size for s in proposal.spans),
                    rate_class=_joined(s.rate_class for s in proposal.spans),
                    lines=tuple((p.line.description, p.line.amount) for p in proposal.lines), total=proposal.total,
                )
            )  # fmt: skip
    return side


def legacy_accounts(numbers: list[str]) -> dict[str, tuple[str, set[str]]]:
    """legacy number -> (Cistern account number, the codes of the cycles its premise's service points are in)."""
    rows = list(
        _among(Account.objects.all(), "legacy_number", numbers, ("legacy_number", "number", "premise_id"))
    )
    premises = sorted({premise for _, _, premise in rows})
    cycles: dict[int, set[str]] = {}
    points = ServicePoint.objects.filter(route__cycle_route__isnull=False)
    for premise, code in _among(
        points, "premise_id", premises, ("premise_id", "route__cycle_route__cycle__code")
    ):
        cycles.setdefault(premise, set()).add(code)
    return {legacy: (number, cycles.get(premise, set())) for legacy, number, premise in rows}


def known_fees(on: date) -> list[tuple[str, object]]:
    """The fee catalog's fixed amounts in force on `on`, as (name, amount)."""
    return [(f.name, f.amount) for f in rates_selectors.fee_catalog(on) if f.amount > 0]


def parallel_run_compare(
    *, actor, legacy: parallel.LegacyBills, period_end: date, cycle_code: str = "", folder: str
) -> ParallelRun:
    """Compare the previous system's bills for `period_end` (read and found clean) with Cistern's trial, for
    cycle `cycle_code` or (blank) every cycle the legacy bills' accounts are in, and keep the ParallelRun.

    With a cycle named, the legacy bills of accounts in other cycles are left out (counted in the result);
    a bill whose legacy number no Cistern account has is compared in every run (only_legacy): the conversion
    left that account out, whatever its cycle."""
    require(actor, "conversion.run_parallel_bills")
    if legacy.problem_count:
        raise ParallelRefused(f"bills.csv has {legacy.problem_count} error(s): nothing is compared.")
    found = legacy_accounts(sorted(legacy.bills))
    if cycle_code:
        cycle = BillCycle.objects.filter(code=cycle_code).first()
        if cycle is None:
            codes = ", ".join(BillCycle.objects.values_list("code", flat=True)) or "none yet"
            raise ParallelRefused(f"There is no bill cycle {cycle_code!r} (cycles: {codes}).")
        cycles = [cycle]
    else:
        codes = sorted({code for _, in_cycles in found.values() for code in in_cycles})
        cycles = list(BillCycle.objects.filter(code__in=codes).order_by("code"))
    names = {c.code for c in cycles}
    bills, other_cycles = {}, 0
    for number, row in legacy.bills.items():
        account = found.get(number)
        if account is not None and account[1] and not account[1] & names:
            other_cycles += 1
            continue
        bills[number] = row
    side = cistern_side(cycles, period_end=period_end)
    comparison = parallel.compare(
        side.bills, bills, not_billed=side.not_billed, accounts={k: v[0] for k, v in found.items()},
        known_fees=known_fees(period_end),
    )  # fmt: skip
    result = parallel.comparison_to_json(comparison)
    result.update(
        cycles=sorted(names), legacy_bills=len(bills), legacy_other_cycles=other_cycles,
        legacy_rows_read=legacy.rows_read, cistern_billed=len(side.bills), cistern_not_billed=len(side.not_billed),
    )  # fmt: skip
    with transaction.atomic():
        run = ParallelRun.objects.create(
            by=actor, folder=folder[:255], period_end=period_end, cycle=cycle_code, compared=comparison.compared,
            matched=comparison.matched, result=result,
        )  # fmt: skip
        audit_record(
            actor=actor, action="parallelrun.compare", obj=run,
            after={"period_end": str(period_end), "cycle": cycle_code, "compared": run.compared, "matched": run.matched},
        )  # fmt: skip
    return run
