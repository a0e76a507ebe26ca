"""The ledger's invariants, checked against the database as it is (manage.py verify_ledger)."""

from django.db.models import Count, Exists, OuterRef, Q, Sum

from cistern.core.money import money
from cistern.customers.models import Account, OpeningBalance, ServiceEvent, ServiceEventKind

from .models import GLRole, JournalEntry, JournalLine

# Checks of apps above the ledger (billing: bills against their entries), registered at start-up.
_checks: list = []


def register_check(check) -> None:
    """`check()` returns a list of breaches, as sentences."""
    if check not in _checks:
        _checks.append(check)


def breaches() -> list[str]:
    found = [breach for check in _checks for breach in check()]
    # Sums compared in cents: SQLite adds NUMERIC as binary floating point.
    for row in JournalLine.objects.values("entry_id").annotate(total=Sum("amount")).order_by("entry_id"):
        if money(row["total"]) == 0:
            continue
        found.append(
            f"Journal entry {row['entry_id']} does not balance: its lines sum to {row['total']:.2f}."
        )
    for entry_id in (
        JournalEntry.objects.annotate(n=Count("lines")).filter(n__lt=2).values_list("id", flat=True)
    ):
        found.append(f"Journal entry {entry_id} has fewer than two lines.")
    receivable_without_account = JournalLine.objects.filter(gl_account__receivable=True, account__isnull=True)
    for line_id in receivable_without_account.values_list("id", flat=True)[:100]:
        found.append(f"Journal line {line_id} is on the receivable but names no customer account.")
    deposit_without_account = JournalLine.objects.filter(
        gl_account__role=GLRole.DEPOSITS_HELD, account__isnull=True
    )
    for line_id in deposit_without_account.values_list("id", flat=True)[:100]:
        found.append(f"Journal line {line_id} is on deposits held but names no customer account.")
    other_with_account = JournalLine.objects.filter(
        account__isnull=False, gl_account__receivable=False
    ).exclude(gl_account__role=GLRole.DEPOSITS_HELD)
    for line_id in other_with_account.values_list("id", flat=True)[:100]:
        found.append(f"Journal line {line_id} names a customer account off the receivable and deposits held.")
    found += _deposit_breaches()
    found += _opening_balance_breaches()
    # Each reversal negates its original exactly: both entries' lines in one query.
    pairs = dict(JournalEntry.objects.filter(reverses__isnull=False).values_list("id", "reverses_id"))
    sums: dict[int, dict] = {}
    in_pairs = JournalLine.objects.filter(entry_id__in=[*pairs, *pairs.values()])
    for entry_id, gl_id, account_id, amount in in_pairs.values_list(
        "entry_id", "gl_account_id", "account_id", "amount"
    ):
        by_key = sums.setdefault(entry_id, {})
        by_key[(gl_id, account_id)] = money(by_key.get((gl_id, account_id), 0) + amount)
    for reversal, original in pairs.items():
        mine, theirs = sums.get(reversal, {}), sums.get(original, {})
        if set(mine) != set(theirs) or any(mine[k] != -v for k, v in theirs.items()):
            found.append(f"Journal entry {reversal} does not exactly reverse entry {original}.")
    total = money(JournalLine.objects.aggregate(total=Sum("amount"))["total"] or 0)
    if total != 0:
        found.append(f"The books do not balance: all lines sum to {total:.2f}.")
    return found


def _deposit_breaches() -> list[str]:
    """Every deposit asked at a start is in the ledger; no account has more refunded, applied or moved than
    was held for it; deposits held in the GL are the sum of what is held per account."""
    found = []
    deposit_lines = JournalLine.objects.filter(gl_account__role=GLRole.DEPOSITS_HELD)
    taken = deposit_lines.filter(account_id=OuterRef("pk"), amount__lt=0)
    started = ServiceEvent.objects.filter(account_id=OuterRef("pk"), kind=ServiceEventKind.START)
    missing = (
        Account.objects.filter(deposit_amount__gt=0, deposit_waived_reason="")
        .filter(Exists(started), ~Exists(taken))
        .order_by("number")
        .values_list("number", "deposit_amount")
    )
    for number, amount in missing[:100]:
        found.append(
            f"Account {number} was asked a ${amount:,.2f} deposit at its start; the ledger holds none of it."
        )
    per_account = (
        deposit_lines.filter(account__isnull=False).values("account__number").annotate(total=Sum("amount"))
    )
    for row in per_account.order_by("account__number"):
        if money(row["total"]) > 0:
            found.append(
                f"Account {row['account__number']}: ${money(row['total']):,.2f} more of its deposit was applied, "
                "refunded or moved than was ever held."
            )
    totals = deposit_lines.aggregate(
        gl=Sum("amount"), accounts=Sum("amount", filter=Q(account__isnull=False))
    )
    gl, accounts = money(totals["gl"] or 0), money(totals["accounts"] or 0)
    if gl != accounts:
        found.append(
            f"Deposits held in the GL (${-gl:,.2f}) differ from the sum held per account (${-accounts:,.2f})."
        )
    return found


def _opening_balance_breaches() -> list[str]:
    """Every balance converted from the previous system is in the ledger, for its amount."""
    posted = dict(
        JournalLine.objects.filter(
            entry__source_kind="opening_balance", entry__reverses__isnull=True, gl_account__receivable=True
        )
        .values("entry__source_id")
        .annotate(total=Sum("amount"))
        .values_list("entry__source_id", "total")
    )  # a converted balance may be several open items, a line each
    found = []
    rows = OpeningBalance.objects.exclude(amount=0).select_related("account").order_by("id")
    for row in rows.iterator():
        if money(posted.get(row.pk) or 0) != row.amount:
            found.append(
                f"Account {row.account.number}: its opening balance of ${row.amount:,.2f} is not in the ledger."
            )
    return found
