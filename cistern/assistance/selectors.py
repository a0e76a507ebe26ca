"""Reads of the assistance program: its terms in force, applications, who is under review (for the ledger's late
fees and for collections), and an application's facts as the pure rules take them."""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum

from cistern.billing.models import Bill, BillLine
from cistern.ledger.models import JournalLine

from . import leak_relief
from .models import ApplicationStatus, LeakReliefApplication, LeakReliefTerms

PAYMENT = "payment"  # the source kind of a payment's journal entry (payments.posting.PAYMENT)
SAME_PERIOD_SLACK = timedelta(days=15)  # a year before, give or take a read day's drift


def terms_on(on: date) -> LeakReliefTerms | None:
    return LeakReliefTerms.objects.filter(effective_on__lte=on).order_by("-effective_on").first()


def as_terms(row: LeakReliefTerms) -> leak_relief.Terms:
    return leak_relief.Terms(
        bill_increase_minimum=row.bill_increase_minimum, max_per_5_years=row.max_per_5_years,
        max_consecutive_cycles=row.max_consecutive_cycles, forgiven_share=row.forgiven_share,
        relief_price=row.relief_price,
    )  # fmt: skip


def _under_review_on(on: date) -> Q:
    """Under review on `on`: applied by then and not decided or withdrawn before it ended."""
    return Q(applied_on__lte=on) & (Q(status=ApplicationStatus.UNDER_REVIEW) | Q(decided_on__gt=on))


def accounts_under_review(account_ids: Iterable[int], on: date) -> dict[int, date]:
    """{account id: the day its review started} for the accounts among `account_ids` with a leak-relief
    application under review on `on` (no late fee, no collection step). One query."""
    ids = list(account_ids)
    if not ids:
        return {}
    found: dict[int, date] = {}
    rows = LeakReliefApplication.objects.filter(_under_review_on(on), account_id__in=ids).values_list(
        "account_id", "applied_on"
    )
    for account_id, applied_on in rows.order_by("applied_on"):
        found.setdefault(account_id, applied_on)
    return found


def late_fees_held(account_ids: Iterable[int], on: date) -> set[int]:
    """The ledger's late-fee hold (ledger/holds.py): the accounts under review on `on`."""
    return set(accounts_under_review(account_ids, on))


def account_applications(account) -> list[LeakReliefApplication]:
    return list(
        LeakReliefApplication.objects.filter(account=account)
        .select_related("decided_by", "applied_by", "adjustment")
        .prefetch_related("bills")
    )


def applications_under_review():
    return (
        LeakReliefApplication.objects.filter(status=ApplicationStatus.UNDER_REVIEW)
        .select_related("account__customer", "account__premise", "applied_by")
        .prefetch_related("bills")
        .order_by("applied_on", "id")
    )


def under_review_count() -> int:
    return LeakReliefApplication.objects.filter(status=ApplicationStatus.UNDER_REVIEW).count()


def bills_in_other_applications(bill_ids: Iterable[int], *, exclude: int | None = None) -> set[int]:
    """The bills among `bill_ids` already in an application under review or approved."""
    rows = LeakReliefApplication.bills.through.objects.filter(
        bill_id__in=list(bill_ids),
        leakreliefapplication__status__in=[ApplicationStatus.UNDER_REVIEW, ApplicationStatus.APPROVED],
    )
    if exclude is not None:
        rows = rows.exclude(leakreliefapplication_id=exclude)
    return set(rows.values_list("bill_id", flat=True))


def bills_to_apply_for(account, *, limit: int = 12):
    """The account's bills that stand (not cancelled), newest first: those an application may name."""
    standing = Bill.objects.filter(account=account, cancellation__isnull=True).order_by("-period_end", "-id")
    ids = list(standing.values_list("pk", flat=True)[:limit])
    return Bill.objects.filter(pk__in=ids).order_by("-period_end", "-id")


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def last_year_bill(bill: Bill) -> Bill | None:
    """The bill for the same period a year before at the same address (whoever's account it was): the one whose
    period ends nearest a year before, within 15 days."""
    target = _year_before(bill.period_end)
    candidates = Bill.objects.filter(
        account__premise_id=bill.account.premise_id, cancellation__isnull=True,
        period_end__gte=target - SAME_PERIOD_SLACK, period_end__lte=target + SAME_PERIOD_SLACK,
    )  # fmt: skip
    return min(candidates, key=lambda b: (abs((b.period_end - target).days), -b.pk), default=None)


def _bill_facts(bill: Bill) -> leak_relief.BillInQuestion:
    usage = tuple(
        leak_relief.UsageBlock(units=line.quantity, price=line.unit_price, tier=line.tier or 0)
        for line in BillLine.objects.filter(bill=bill, tier__isnull=False).order_by("sequence")
    )
    before = last_year_bill(bill)
    return leak_relief.BillInQuestion(
        bill_id=bill.pk, period_start=bill.period_start, period_end=bill.period_end, bill_date=bill.bill_date,
        due_date=bill.due_date, units=bill.units, amount=bill.current_charges, usage=usage,
        last_year=leak_relief.LastYear(before.units, before.current_charges) if before else None,
    )  # fmt: skip


def paid_between(account_id: int, first: date, last: date) -> Decimal:
    """What payments credited the account from `first` through `last` (payments reversed since not counted)."""
    total = JournalLine.objects.filter(
        account_id=account_id, gl_account__receivable=True, entry__source_kind=PAYMENT,
        entry__reverses__isnull=True, entry__reversed_by__isnull=True,
        entry__entry_date__gte=first, entry__entry_date__lte=last,
    ).aggregate(total=Sum("amount"))["total"]  # fmt: skip
    return Decimal("0.00") - (total or Decimal("0.00"))


def _relief_days(applications) -> tuple[date, ...]:
    return tuple(applications.filter(status=ApplicationStatus.APPROVED).values_list("decided_on", flat=True))


def facts_for(
    *, account, bills: list[Bill], primary_residence: bool, repaired_on: date | None, repair_proof: bool,
    exclude: int | None = None,
) -> leak_relief.Facts:  # fmt: skip
    """An application's facts as the rules take them (`exclude`: the application itself, for its own reliefs)."""
    others = LeakReliefApplication.objects.exclude(pk=exclude) if exclude else LeakReliefApplication.objects
    in_question = tuple(_bill_facts(b) for b in sorted(bills, key=lambda b: b.period_end))
    paid = Decimal("0.00")
    if in_question:
        first = in_question[0]
        paid = paid_between(account.pk, first.bill_date, first.due_date)
    return leak_relief.Facts(
        bills=in_question, relationship=account.relationship, occupancy=account.occupancy_type,
        primary_residence=primary_residence,
        customer_reliefs=_relief_days(others.filter(account__customer_id=account.customer_id)),
        address_reliefs=_relief_days(others.filter(account__premise_id=account.premise_id)),
        paid_by_due=paid, repair_proof=repair_proof, repaired_on=repaired_on,
    )  # fmt: skip
