"""Reads for billing: a cycle's accounts and their facts for a period (in a handful of queries for the whole
cycle), bills and their lines, runs and their items."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Max, Q, Sum

from cistern.core.bulk import among
from cistern.core.money import money
from cistern.core.selectors import district_settings
from cistern.customers.models import Account, AccountStatus
from cistern.ledger import selectors as ledger_selectors
from cistern.metering.models import MeterInstallation, Read, ReadKind, ReadSource, ReadStatus

from . import calculation, document
from . import spans as spans_module
from .models import (
    Bill,
    BillCancelRequest,
    BillCycle,
    BillEmail,
    BillKind,
    BillLine,
    BillMeter,
    BillRun,
    BillRunItem,
    CancelStatus,
    LegacyBill,
)

# A period's read is one taken within this many days before the period end (a late read still bills this
# period; an earlier one belongs to the last).
READ_WINDOW_DAYS = 20
# Reads further back than this are summed in a second query (a first bill after a long vacancy).
RECENT_DAYS = 100


def _in_service(where: Q, period_end: date):
    """Installations (matching `where`) in service during the period's read window."""
    return MeterInstallation.objects.filter(where, installed_on__lte=period_end).filter(
        Q(removed_on__isnull=True) | Q(removed_on__gt=period_end - timedelta(days=READ_WINDOW_DAYS))
    )


def _installations(where: Q, period_end: date) -> list[dict]:
    """Installations (matching `where`) in service during the period's read window, as facts need them."""
    return list(
        _in_service(where, period_end)
        .values(
            "id", "removed_on", "meter__serial", "meter__size", "service_point__kind", "service_point__premise_id",
            "installed_on", "initial_value",
        )
        .order_by("id")
    )  # fmt: skip


def cycle_installations(cycle: BillCycle, *, period_end: date) -> list[dict]:
    """Installations at the cycle's service points in service during the read window."""
    return _installations(_of_cycle(cycle), period_end)


def _of_cycle(cycle: BillCycle) -> Q:
    return Q(service_point__route__cycle_route__cycle=cycle)


def period_start_for(period_end: date) -> date:
    """The start of the month-long period a run ending `period_end` bills: the same day a month earlier."""
    year, month = (
        (period_end.year, period_end.month - 1) if period_end.month > 1 else (period_end.year - 1, 12)
    )
    day = min(period_end.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return date(year, month, day)


_ACCOUNT_FIELDS = ("id", "premise_id", "occupancy_type", "start_date", "end_date", "status")


def cycle_facts(cycle: BillCycle, *, period_end: date) -> list[calculation.AccountFacts]:
    """Every account in service at the cycle's premises during the period ending `period_end`, whatever its
    status now: active ones with their meter spans, stopped ones (final-billed outside the run, or held until
    they are) and pending ones (held until the turn-on), so a run accounts for each of them.

    The cycle's installations and accounts are named to the database as subqueries on the cycle's routes
    (not as lists of a hundred thousand ids), so each fetch is one join."""
    in_service = _in_service(_of_cycle(cycle), period_end)
    installations = cycle_installations(cycle, period_end=period_end)
    accounts = (
        Account.objects.filter(premise_id__in=in_service.values("service_point__premise_id"), start_date__lt=period_end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=period_start_for(period_end)))
    )  # fmt: skip
    rows = list(accounts.values(*_ACCOUNT_FIELDS).order_by("id"))
    return _facts(
        installations, rows, period_end, installation_scope=in_service.values("id"), account_scope=accounts.values("id")
    )  # fmt: skip


def final_read_date(account: Account) -> date | None:
    """The date of the account's accepted final read, if it has one."""
    return (
        Read.objects.filter(account=account, status=ReadStatus.ACCEPTED, kind=ReadKind.FINAL)
        .order_by("-read_on")
        .values_list("read_on", flat=True)
        .first()
    )


def account_facts(account: Account, *, period_end: date) -> calculation.AccountFacts:
    """One account's facts to `period_end` (its final bill), whatever its status: billed as if active."""
    installations = _installations(Q(service_point__premise_id=account.premise_id), period_end)
    row = {field: getattr(account, field) for field in _ACCOUNT_FIELDS}
    row.update(status=AccountStatus.ACTIVE, end_date=None)
    ids = [inst["id"] for inst in installations]
    return _facts(installations, [row], period_end, installation_scope=ids, account_scope=[account.pk])[0]


def _service(account: dict, period_end: date) -> tuple[str, date | None]:
    if account["status"] == AccountStatus.PENDING:
        return calculation.Service.PENDING, account["start_date"]
    if account["end_date"] is not None and account["end_date"] <= period_end:
        return calculation.Service.STOPPED, account["end_date"]
    return calculation.Service.ACTIVE, None


def _facts(
    installations: list[dict], accounts: list[dict], period_end: date, *, installation_scope, account_scope
) -> list[calculation.AccountFacts]:
    """The facts of `accounts` from their premises' `installations`. `installation_scope` and `account_scope`
    name the same installations and accounts to the database: a list of ids, or a subquery of them."""
    by_premise: dict[int, list[dict]] = defaultdict(list)
    for inst in installations:
        by_premise[inst["service_point__premise_id"]].append(inst)
    billed = _billed_through(installation_scope)
    billed.update(_converted_through([i["id"] for i in installations if i["id"] not in billed]))
    recent_since = period_end - timedelta(days=RECENT_DAYS)
    window_start = period_end - timedelta(days=READ_WINDOW_DAYS)
    service = {a["id"]: _service(a, period_end) for a in accounts}
    active = [a for a in accounts if service[a["id"]][0] == calculation.Service.ACTIVE]
    # A span that starts long ago, or at the account's start (its reads before the move-in are needed to
    # estimate a start), reads the installation's whole history; every other one only the recent reads.
    whole = {
        inst["id"]
        for a in active
        for inst in by_premise[a["premise_id"]]
        if (b := billed.get(inst["id"])) is None or b.read_on < a["start_date"] or b.read_on <= recent_since
    }
    reads = _reads(installation_scope, recent_since, period_end)  # every installation's recent reads
    for installation_id, older in _reads(sorted(whole), None, recent_since).items():
        reads[installation_id] = older + reads.get(installation_id, [])  # and the whole history of these
    last_year = last_year_charges(account_scope, period_end)
    stopped = {a["id"] for a in accounts if service[a["id"]][0] == calculation.Service.STOPPED}
    final_billed = set()
    if stopped:
        final_billed = {
            account_id
            for account_id in Bill.objects.filter(
                account_id__in=account_scope, kind=BillKind.FINAL, cancellation__isnull=True
            )
            .order_by()
            .values_list("account_id", flat=True)
            if account_id in stopped
        }
        # Or the previous system's final bill, converted (its period reaches the account's end date).
        final_billed.update(
            account_id
            for account_id in LegacyBill.objects.filter(account_id__in=account_scope, is_final=True)
            .order_by()
            .values_list("account_id", flat=True)
            if account_id in stopped
        )
    facts = []
    for account in accounts:
        kind, on = service[account["id"]]
        if kind != calculation.Service.ACTIVE:
            facts.append(
                calculation.AccountFacts(
                    account["id"],
                    (),
                    service=kind,
                    service_date=on,
                    final_billed=account["id"] in final_billed,
                )
            )
            continue
        spans, unread, problems = [], [], []
        for inst in by_premise[account["premise_id"]]:
            rows = reads.get(inst["id"], [])
            found = spans_module.find_span(
                account_id=account["id"], start_date=account["start_date"], reads=rows,
                billed=billed.get(inst["id"]), window_start=window_start, until=period_end,
                installed_on=inst["installed_on"], initial_value=inst["initial_value"], serial=inst["meter__serial"],
            )  # fmt: skip
            if found is None:
                own = any(r.account_id == account["id"] and r.read_on > window_start for r in rows)
                if inst["removed_on"] is None and not own:
                    unread.append(inst["meter__serial"])
                continue
            if found.problem:
                problems.append(found.problem)
            to, start = found.to, found.start
            spans.append(
                calculation.MeterSpan(
                    installation_id=inst["id"], serial=inst["meter__serial"], size=inst["meter__size"],
                    rate_class=calculation.rate_class_for(inst["service_point__kind"], account["occupancy_type"]),
                    from_read_id=start.read_id, from_date=start.on,
                    from_value=start.value if start.value is not None else to.value, to_read_id=to.id,
                    to_date=to.read_on, to_value=to.value, units=found.units,
                    estimated=to.kind == ReadKind.ESTIMATED, start_estimated=start.estimated,
                )
            )  # fmt: skip
        facts.append(
            calculation.AccountFacts(
                account["id"], tuple(spans), tuple(unread), last_year.get(account["id"]),
                start_problems=tuple(problems),
            )
        )  # fmt: skip
    return facts


def _billed_through(installation_scope) -> dict[int, spans_module.Billed]:
    """Each installation's last billed span end: its closing read (`installation_scope`: ids or a subquery)."""
    # The last span's id per installation first, then those spans by id: two plain queries. As one query
    # (`id IN (SELECT max(id) ... GROUP BY ...)`) PostgreSQL, misled by a table's stale statistics, once
    # planned it as a scan per row and took minutes for a few thousand spans.
    last = list(
        BillMeter.objects.filter(installation_id__in=installation_scope)
        .values("installation_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
        .order_by()
    )  # (no ordering: the model's would join the bills)
    return {
        installation_id: spans_module.Billed(to_read_id, to_date, to_value)
        for installation_id, to_read_id, to_date, to_value in among(BillMeter.objects.order_by(), "id", last)
        .values_list("installation_id", "to_read_id", "to_date", "to_value")
    }  # fmt: skip


def _converted_through(installation_ids: list[int]) -> dict[int, spans_module.Billed]:
    """Installations never billed here whose reads were converted: billed through their last converted read on or
    before the conversion date, as the previous system billed them (a converted account's first span starts
    there, not at its move-in). Converted reads after that date are history the previous system had not yet
    billed: the parallel bills compare that period."""
    if not installation_ids:
        return {}
    converted = Read.objects.filter(status=ReadStatus.ACCEPTED, source=ReadSource.CONVERSION)
    converted_on = district_settings().converted_on
    if converted_on is not None:
        converted = converted.filter(read_on__lte=converted_on)
    reads = among(converted, "installation_id", installation_ids)
    last = {}
    for installation_id, read_id, read_on, value in reads.values_list(
        "installation_id", "id", "read_on", "value"
    ).order_by("installation_id", "read_on", "id"):
        last[installation_id] = spans_module.Billed(read_id, read_on, value)
    return last


def _reads(installations, since: date | None, until: date) -> dict[int, list[spans_module.ReadRow]]:
    """Accepted reads of the installations (ids, or a subquery of them) in (since, until] (all of them to
    `until` when `since` is None), every account's, by installation in date order."""
    found: dict[int, list[spans_module.ReadRow]] = defaultdict(list)
    if isinstance(installations, list) and not installations:
        return found
    rows = among(
        Read.objects.filter(status=ReadStatus.ACCEPTED, read_on__lte=until), "installation_id", installations
    )
    if since is not None:
        rows = rows.filter(read_on__gt=since)
    for row in rows.values_list(
        "id", "installation_id", "account_id", "read_on", "value", "kind", "consumption"
    ).order_by("installation_id", "read_on", "id"):
        found[row[1]].append(spans_module.ReadRow(row[0], row[2], row[3], row[4], row[5], row[6]))
    return found


def rebill_span(meter: BillMeter, account_id: int) -> spans_module.SpanFound | None:
    """A billed meter span again, closed by the account's read that stands now on the same day (a corrected
    read replaces the billed one), from the same start: the last billed read, or the account's own start
    (estimated again from the reads as they stand, when it was estimated)."""
    installation = MeterInstallation.objects.values("installed_on", "initial_value").get(
        pk=meter.installation_id
    )
    reads = _reads([meter.installation_id], None, meter.to_date).get(meter.installation_id, [])
    billed = (
        spans_module.Billed(meter.from_read_id, meter.from_date, meter.from_value)
        if meter.from_read_id
        else None
    )
    return spans_module.find_span(
        account_id=account_id, start_date=meter.from_date, reads=reads, billed=billed, window_start=meter.from_date,
        until=meter.to_date, installed_on=installation["installed_on"], initial_value=installation["initial_value"],
        serial=meter.serial,
    )  # fmt: skip


def last_year_charges(accounts, period_end: date) -> dict[int, Decimal]:
    """Each account's current charges on its bill for the same period a year earlier (not cancelled);
    `accounts`: ids or a subquery of them."""
    year_ago = period_end - timedelta(days=365)
    rows = Bill.objects.filter(
        account_id__in=accounts, period_end__gte=year_ago - timedelta(days=15),
        period_end__lte=year_ago + timedelta(days=15), cancellation__isnull=True,
    ).order_by().values_list("account_id", "current_charges")  # fmt: skip
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
    owed: Decimal  # what the account owes before this bill: its receivable lines
    previous_due: Decimal  # the amount due on its latest bill that stands


# One query for everything a posting batch needs of its accounts: a batch's ids travel as a range of items,
# not as thousands of parameters. The sum of the balance sources customers.balances registers (the ledger's
# receivable, converted opening balances included), written out so the database does it in one pass.
_BATCH_SQL = """
SELECT i.account_id, c.preferred_language,
    (SELECT sum(l.amount) FILTER (WHERE l.gl_account_id = %s) FROM ledger_journalline l
        JOIN ledger_journalentry e ON e.id = l.entry_id
        WHERE l.account_id = i.account_id AND e.entry_date <= %s),
    (SELECT b.amount_due FROM billing_bill b WHERE b.account_id = i.account_id
        AND NOT EXISTS (SELECT 1 FROM billing_billcancellation x WHERE x.bill_id = b.id)
        ORDER BY b.period_end DESC, b.id DESC LIMIT 1)
FROM billing_billrunitem i
JOIN customers_account a ON a.id = i.account_id
JOIN customers_customer c ON c.id = a.customer_id
WHERE i.run_id = %s AND i.id >= %s AND i.id <= %s AND i.billable
"""


def batch_accounts(
    run_id: int, first_item: int, last_item: int, *, bill_date: date
) -> dict[int, BatchAccount]:
    """What a posting batch's bills need of their accounts; a bill counts only what is dated on or before its
    bill date (a payment made after it is on the next bill)."""
    receivable = ledger_selectors.receivable_gl().pk
    with connection.cursor() as cursor:
        cursor.execute(_BATCH_SQL, [receivable, bill_date, run_id, first_item, last_item])
        rows = cursor.fetchall()
    return {
        account_id: BatchAccount(language or "en", _cents(owed), _cents(previous))
        for account_id, language, owed, previous in rows
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
    dispositions = dict(items.values_list("disposition").annotate(n=Count("id")).order_by())
    return {
        "accounts": items.count(),
        # in service = billed + final-billed + held: every account of the cycle in service in the period
        "accounts_in_service": sum(dispositions.values()),
        "accounts_billed": dispositions.get(calculation.Disposition.BILLED, 0),
        "accounts_final_billed": dispositions.get(calculation.Disposition.FINAL_BILLED, 0),
        "accounts_held": dispositions.get(calculation.Disposition.HELD, 0),
        "billable": totals["bills"] or 0,
        "held": items.filter(billable=False).count(),
        "amount": _cents(totals["amount"]),
        "units": _cents(totals["units"]),
        "exceptions": {calculation.EXCEPTION_NAMES.get(c, c): n for c, n in sorted(by_code.items())},
        "posted": run.bills.count(),
        "ebills": ebill_counts(run),
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


def lines_with_meters(bill: Bill) -> list[tuple[BillLine, str]]:
    """Each of the bill's lines with the serial of the meter it bills ("" for none). A line posted before
    lines named their meter belongs to the bill's meter when there is only one."""
    meters = list(bill.meters.all())
    serials = {m.installation_id: m.serial for m in meters}
    only = meters[0].serial if len(meters) == 1 else ""
    return [
        (line, serials.get(line.installation_id, "") if line.installation_id else only)
        for line in bill.lines.all()
    ]


def charge_groups(bill: Bill) -> list[tuple[str, list[BillLine], Decimal]]:
    """The bill's lines grouped by meter for its page: (serial or "", lines, subtotal), meters in read order."""
    groups = document.group_by_meter(lines_with_meters(bill), [m.serial for m in bill.meters.all()])
    return [(serial, lines, sum((ln.amount for ln in lines), Decimal("0.00"))) for serial, lines in groups]


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


def ebill_counts(run: BillRun) -> dict[str, int]:
    """The run's e-bills: sent, refused, and interrupted while sending (no outcome)."""
    emails = BillEmail.objects.filter(bill__run=run)
    return {
        "sent": emails.filter(outcome__sent=True).count(),
        "failed": emails.filter(outcome__sent=False).count(),
        "interrupted": emails.filter(outcome__isnull=True).count(),
    }


def ebills_not_sent(run: BillRun, limit: int = 200) -> list[BillEmail]:
    """The run's e-bills that were refused or interrupted: a person mails the bill or corrects the address."""
    return list(
        BillEmail.objects.filter(bill__run=run)
        .exclude(outcome__sent=True)
        .select_related("bill__account", "outcome")
        .order_by("id")[:limit]
    )


def cancellation_waiting(bill: Bill):
    """The bill's cancellation waiting for a lead's approval, if any."""
    return (
        BillCancelRequest.objects.filter(bill=bill, status=CancelStatus.PENDING)
        .select_related("requested_by")
        .first()
    )
