"""The ledger's invariants, checked against the database as it is (manage.py verify_ledger)."""

from django.db.models import Count, Sum

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
    other_with_account = JournalLine.objects.filter(gl_account__receivable=False, account__isnull=False)
    for line_id in other_with_account.values_list("id", flat=True)[:100]:
        found.append(f"Journal line {line_id} names a customer account off the receivable.")
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
