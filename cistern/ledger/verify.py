"""The ledger's invariants, checked against the database as it is (manage.py verify_ledger)."""

from django.db.models import Count, Q, Sum

from cistern.core.money import money

from .models import JournalEntry, JournalLine


def breaches() -> list[str]:
    found = []
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
    other_with_account = JournalLine.objects.filter(
        Q(gl_account__receivable=False) & Q(account__isnull=False)
    )
    for line_id in other_with_account.values_list("id", flat=True)[:100]:
        found.append(f"Journal line {line_id} names a customer account off the receivable.")
    for entry in JournalEntry.objects.filter(reverses__isnull=False).select_related("reverses"):
        mine = _by_key(entry)
        theirs = _by_key(entry.reverses)
        if any(mine.get(k, 0) != -v for k, v in theirs.items()) or set(mine) != set(theirs):
            found.append(f"Journal entry {entry.pk} does not exactly reverse entry {entry.reverses_id}.")
    total = money(JournalLine.objects.aggregate(total=Sum("amount"))["total"] or 0)
    if total != 0:
        found.append(f"The books do not balance: all lines sum to {total:.2f}.")
    return found


def _by_key(entry) -> dict:
    sums: dict = {}
    for gl_id, account_id, amount in entry.lines.values_list("gl_account_id", "account_id", "amount"):
        sums[(gl_id, account_id)] = money(sums.get((gl_id, account_id), 0) + amount)
    return sums
