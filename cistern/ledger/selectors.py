"""Reads of the ledger: balances, open items and aging, an account's ledger, the GL summary."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from cistern.core.money import money

from . import aging, authority
from .models import Adjustment, AdjustmentStatus, GLAccount, GLRole, JournalEntry, JournalLine

ZERO = Decimal("0.00")
_debit, _credit = Q(amount__gt=0), Q(amount__lt=0)


class NoGLRole(LookupError):
    """The chart of accounts has no GL account with a role the code needs."""


def gl_code(role: str) -> str:
    """The code of the GL account with `role` (GLRole): code names accounts by role, the district numbers them.
    Asked of the database each time, so a renumbered chart is seen at once."""
    code = GLAccount.objects.filter(role=role).values_list("code", flat=True).first()
    if code is None:
        raise NoGLRole(
            f"The chart of accounts has no GL account with the role {GLRole(role).label!r}: give one that role "
            "in admin."
        )
    return code


def receivable_gl() -> GLAccount:
    return GLAccount.objects.get(receivable=True)


def _deposits(lines) -> dict[int, Decimal]:
    """{account id: deposit held} from `lines` (positive: held for the customer; the lines on deposits held are
    credits when taken, debits when applied, refunded or moved)."""
    rows = (
        lines.filter(gl_account__role=GLRole.DEPOSITS_HELD).values("account_id").annotate(total=Sum("amount"))
    )
    return {row["account_id"]: ZERO - money(row["total"]) for row in rows.order_by()}  # never "-0.00"


def deposits_held(account_ids: Iterable[int]) -> dict[int, Decimal]:
    """{account id: the deposit the district holds for it} for every account asked."""
    ids = list(account_ids)
    return {**dict.fromkeys(ids, ZERO), **_deposits(JournalLine.objects.filter(account_id__in=ids))}


def accounts_holding_deposits() -> dict[int, Decimal]:
    """{account id: deposit held} for every account the district holds a deposit for."""
    held = _deposits(JournalLine.objects.filter(account__isnull=False))
    return {account_id: amount for account_id, amount in held.items() if amount > 0}


def late_fees_charged(account_ids: Iterable[int], since: date, until: date) -> dict[int, int]:
    """{account id: late fees charged from `since` to `until` and not reversed}: the late payments the
    deposit's good-payment rule counts."""
    rows = (
        JournalLine.objects.filter(
            account_id__in=list(account_ids), gl_account__receivable=True, entry__source_kind="late_fee",
            entry__reverses__isnull=True, entry__reversed_by__isnull=True,
            entry__entry_date__gte=since, entry__entry_date__lte=until,
        )
        .values("account_id")
        .annotate(n=Count("entry_id", distinct=True))
        .order_by()
    )  # fmt: skip
    return {row["account_id"]: row["n"] for row in rows}


def receivable_balances(account_ids: Iterable[int]) -> dict[int, Decimal]:
    """{account id: balance} for the accounts with receivable lines (the sum of their lines)."""
    rows = (
        JournalLine.objects.filter(account_id__in=list(account_ids), gl_account__receivable=True)
        .values("account_id")
        .annotate(total=Sum("amount"))
    )
    # money(): SQLite sums NUMERIC as binary floating point (10.05 + ... = 10.049999...); cents are exact.
    return {row["account_id"]: money(row["total"]) for row in rows}


def account_balance(account) -> Decimal:
    return receivable_balances([account.pk]).get(account.pk, ZERO)


def receivable_lines(account_id: int) -> list[JournalLine]:
    """The account's receivable lines, oldest first: what its balance, aging and ledger are made of."""
    return list(
        JournalLine.objects.filter(account_id=account_id, gl_account__receivable=True)
        .select_related("entry")
        .order_by("entry__entry_date", "id")
    )


def movements(lines: Iterable[JournalLine]) -> list[aging.Movement]:
    """An account's receivable lines (all of them, entries selected with them: `receivable_lines`) as aging
    movements, each reversing line naming the line it reverses. No query of its own."""
    lines = list(lines)
    reversed_line = _reversed_lines(lines)
    return [
        aging.Movement(
            r.entry.entry_date,
            r.amount,
            r.due_date,
            r.description or r.entry.memo,
            r.pk,
            r.entry.source_kind,
            reversed_line.get(r.pk),
        )  # fmt: skip
        for r in lines
    ]


@dataclass
class _EntryRow:
    entry_date: date
    memo: str
    source_kind: str
    reverses_id: int | None


@dataclass
class _LineRow:
    """A receivable line with only what `movements` reads: rows, not model instances (the daily runs read
    hundreds of thousands)."""

    pk: int
    entry_id: int
    gl_account_id: int
    account_id: int
    amount: Decimal
    due_date: date | None
    description: str
    entry: _EntryRow


def receivable_movements(account_ids: Iterable[int]) -> dict[int, list[aging.Movement]]:
    """Each account's receivable lines as aging movements (as `movements(receivable_lines(...))`), for many
    accounts in one query."""
    lines: dict[int, list[_LineRow]] = defaultdict(list)
    rows = (
        JournalLine.objects.filter(account_id__in=list(account_ids), gl_account__receivable=True)
        .order_by("entry__entry_date", "id")
        .values_list(
            "id", "entry_id", "gl_account_id", "account_id", "amount", "due_date", "description",
            "entry__entry_date", "entry__memo", "entry__source_kind", "entry__reverses_id",
        )
    )  # fmt: skip
    for pk, entry_id, gl, account_id, amount, due, text, day, memo, kind, reverses in rows.iterator(
        chunk_size=5000
    ):
        lines[account_id].append(
            _LineRow(pk, entry_id, gl, account_id, amount, due, text, _EntryRow(day, memo, kind, reverses))
        )
    return {account_id: movements(found) for account_id, found in lines.items()}


def _reversed_lines(lines: list[JournalLine]) -> dict[int, int]:
    """{reversing line id: the line it reverses}. A reversing entry's lines mirror its original's, in order
    (journal_reverse): each is paired with the original's first unpaired line of the same GL account and
    customer account and the negated amount. An original outside `lines` leaves its reversal unpaired."""
    by_entry: dict[int, list[JournalLine]] = defaultdict(list)
    for line in lines:
        by_entry[line.entry_id].append(line)
    pairs = {}
    for entry_lines in by_entry.values():
        original = entry_lines[0].entry.reverses_id
        if original is None or original not in by_entry:
            continue
        unpaired = sorted(by_entry[original], key=lambda line: line.pk)
        for line in sorted(entry_lines, key=lambda line: line.pk):
            for candidate in unpaired:
                if (candidate.gl_account_id, candidate.account_id, candidate.amount) == (
                    line.gl_account_id, line.account_id, -line.amount,
                ):  # fmt: skip
                    pairs[line.pk] = candidate.pk
                    unpaired.remove(candidate)
                    break
    return pairs


def account_aging(account, as_of: date) -> dict[str, Decimal]:
    return aging.aging(movements(receivable_lines(account.pk)), as_of)


def credited(*, actor_id: int, account_id: int, day: date) -> Decimal:
    """What `actor` credited `account` on `day` under their adjustment authority: their adjustments that
    posted that day and the credits other apps register (bill cancellations). Counts against their limit."""
    own = Adjustment.objects.filter(
        requested_by_id=actor_id, account_id=account_id, status=AdjustmentStatus.POSTED, amount__gt=0,
        entry__entry_date=day,
    ).aggregate(total=Sum("amount"))["total"]  # fmt: skip
    others = (source.credited(actor_id, account_id, day) for source in authority.sources())
    return money(sum(others, money(own or ZERO)))


def late_fees_to_reverse(account_id: int):
    """The account's late fees neither reversed nor with a reversal waiting, newest first, each with its
    `fee` (the amount charged)."""
    return (
        JournalEntry.objects.filter(
            source_kind="late_fee", reverses__isnull=True, reversed_by__isnull=True,
            lines__account_id=account_id, lines__gl_account__receivable=True,
        )
        .exclude(late_fee_reversals__status__in=[AdjustmentStatus.PENDING, AdjustmentStatus.POSTED])
        .annotate(fee=Sum("lines__amount"))
        .order_by("-entry_date", "-id")
    )  # fmt: skip


def running_balances(lines: list[JournalLine], limit: int = 50) -> list[tuple[JournalLine, Decimal]]:
    """(line, balance after it), newest first."""
    running = ZERO
    rows = []
    for line in lines:
        running += line.amount
        rows.append((line, running))
    return rows[::-1][:limit]


def gl_summary(on: date) -> list[dict]:
    """Debits and credits by GL account for one day, for the district's accounting software."""
    lines = JournalLine.objects.filter(entry__entry_date=on).values("gl_account__code", "gl_account__name")
    summary = []
    for row in lines.annotate(
        debits=Sum("amount", filter=_debit), credits=Sum("amount", filter=_credit)
    ).order_by("gl_account__code"):
        debits, credits = money(row["debits"] or ZERO), -money(row["credits"] or ZERO)
        summary.append({
            "code": row["gl_account__code"], "name": row["gl_account__name"], "debits": debits,
            "credits": credits, "net": debits - credits,
        })  # fmt: skip
    return summary
