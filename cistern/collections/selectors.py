"""Reads of collections: the policy's facts for many accounts in a few queries, the policy's settings from the
district's, an account's decision on a day, the lock-off lists.

`facts_for` is what every decision reads, so the daily run, the lock-off list, the account page, the API and
field work's lock-off guard all judge an account on the same facts.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time, timedelta

from django.db.models import Q, Sum

from cistern.assistance import selectors as assistance_selectors
from cistern.core import selectors as core_selectors
from cistern.customers.models import (
    Account,
    AccountFlag,
    AccountRelationship,
    AccountStatus,
    FlagKind,
    OccupancyType,
)
from cistern.fieldwork.models import OrderStatus, ServiceOrder
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import JournalLine

from . import policy
from .models import (
    Arrangement,
    ArrangementStatus,
    Hold,
    LockoffCandidate,
    LockoffList,
    Notice,
    NoticeKind,
    PhoneContact,
)

LOCK_OFF, RECONNECT = "lock_off", "reconnect"  # field work's order types (its migration 0002)


def policy_settings() -> policy.Settings:
    """The policy's settings: the district's (the law's floors applied again by the policy itself)."""
    district = core_selectors.district_settings()
    return policy.Settings(
        reminder_days=district.reminder_days,
        notice_days=district.shutoff_notice_days,
        delinquent_days=district.shutoff_delinquent_days,
        notice_business_days=district.shutoff_notice_business_days,
        notice_calendar_days=district.shutoff_notice_calendar_days,
        occupant_notice_days=district.occupant_notice_days,
        door_hanger_hours=district.door_hanger_hours,
        final_notice_business_days=district.final_notice_business_days,
        minimum_amount=district.shutoff_minimum_amount,
        office_opens=district.office_opens,
        office_closes=district.office_closes,
        suspensions=tuple(
            policy.Suspension(s.starts_on, s.ends_on, shutoffs=s.shutoffs, late_fees=s.late_fees)
            for s in core_selectors.suspensions()
        ),
    )


def past_due_accounts(on: date) -> list[int]:
    """Active accounts owing something on what fell due before `on`: their receivable lines due before it,
    with the lines of no due date (payments, credits), sum above zero. (A final or closed account is not shut
    off; its balance is chased by final-bill notices and write-offs.)"""
    by_day = Q(due_date__lt=on) | Q(due_date__isnull=True)
    return list(
        JournalLine.objects.filter(
            gl_account_id=ledger_selectors.receivable_gl().pk,
            account_id__isnull=False,
            account__status=AccountStatus.ACTIVE,
        )  # fmt: skip
        .values("account_id")
        .annotate(owed=Sum("amount", filter=by_day))
        .filter(owed__gt=0)
        .order_by("account_id")
        .values_list("account_id", flat=True)
    )


def open_charges(account_ids: list[int]) -> dict[int, tuple[policy.Charge, ...]]:
    """Each account's open items (credits applied oldest first, reversals netted) as the policy's charges."""
    movements = ledger_selectors.receivable_movements(account_ids)
    found = {}
    for account_id in account_ids:
        items, _ = aging.open_items(movements.get(account_id, []))
        found[account_id] = tuple(policy.Charge(item.due, item.open) for item in items)
    return found


def _in_force(flag, on: date) -> bool:
    return flag.starts_on <= on and (flag.expires_on is None or on <= flag.expires_on)


def _same_address(account: Account) -> bool:
    customer, premise = account.customer, account.premise

    def norm(*parts):
        return " ".join(" ".join(p.split()).upper() for p in parts if p)

    return norm(customer.mailing_street, customer.mailing_unit) == norm(premise.street, premise.unit) and (
        customer.mailing_zip[:5] == premise.zip_code[:5]
    )


def needs_occupant_notice(account: Account) -> bool:
    """The law's occupant notices: the mailing address is not the service address, or a landlord is the
    customer of record at a rented premises."""
    landlord = account.relationship == AccountRelationship.OWNER and account.occupancy_type in (
        OccupancyType.RENTAL, OccupancyType.VACATION_RENTAL,
    )  # fmt: skip
    return landlord or not _same_address(account)


def locked_off_accounts(account_ids: Iterable[int]) -> set[int]:
    """Accounts whose last completed lock-off has no completed reconnect after it: water off for nonpayment."""
    last: dict[int, tuple] = {}
    for account_id, code, at in (
        ServiceOrder.objects.filter(
            account_id__in=list(account_ids), order_type__code__in=[LOCK_OFF, RECONNECT],
            status__in=[OrderStatus.COMPLETED, OrderStatus.CLOSED],
        )
        .order_by("completed_at", "id")
        .values_list("account_id", "order_type__code", "completed_at")
    ):  # fmt: skip
        last[account_id] = (code, at)
    return {account_id for account_id, (code, _) in last.items() if code == LOCK_OFF}


def _notice_sent(notice: Notice, returned: set[int]) -> policy.NoticeSent | None:
    """A notice as the policy reads it: a letter counts from the day mailed, a door-hanger or final notice
    from the day the technician posted it (not yet posted: it does not count)."""
    if notice.kind in (NoticeKind.DOOR_HANGER, NoticeKind.FINAL):
        if notice.order is None or notice.order.status not in (OrderStatus.COMPLETED, OrderStatus.CLOSED):
            return None
        sent_on = notice.order.completed_on or (
            notice.order.completed_at.date() if notice.order.completed_at else notice.issued_on
        )
    else:
        sent_on = notice.delivered_on or notice.issued_on
    return policy.NoticeSent(
        kind=notice.kind, sent_on=sent_on, delinquent_since=notice.delinquent_since, shutoff_on=notice.shutoff_on,
        returned=notice.correspondence_id in returned,
    )  # fmt: skip


def facts_for(account_ids: Iterable[int], on: date, accounts: dict | None = None) -> dict[int, policy.Facts]:
    """The policy's facts for each account on `on`, in a fixed number of queries whatever the count.
    `accounts`: the accounts (customer and premise selected) when the caller has read them already."""
    from cistern.correspondence.models import Correspondence, CorrespondenceStatus

    ids = sorted(set(account_ids))
    if accounts is None:
        accounts = Account.objects.select_related("customer", "premise").in_bulk(ids)
    charges = open_charges(ids)
    notices: dict[int, list[Notice]] = defaultdict(list)
    for notice in Notice.objects.filter(account_id__in=ids).select_related("order"):
        notices[notice.account_id].append(notice)
    letter_ids = [n.correspondence_id for found in notices.values() for n in found if n.correspondence_id]
    returned = set(
        Correspondence.objects.filter(pk__in=letter_ids, status=CorrespondenceStatus.RETURNED).values_list(
            "pk", flat=True
        )
    )
    calls: dict[int, list[PhoneContact]] = defaultdict(list)
    for call in PhoneContact.objects.filter(account_id__in=ids, on__lte=on):
        calls[call.account_id].append(call)
    holds: dict[int, list[policy.Hold]] = defaultdict(list)
    for hold in Hold.objects.filter(account_id__in=ids):
        holds[hold.account_id].append(policy.Hold(hold.kind, hold.starts_on, hold.last_day))
    flags: dict[int, list[AccountFlag]] = defaultdict(list)
    for flag in AccountFlag.objects.filter(account_id__in=ids):
        flags[flag.account_id].append(flag)
        if flag.kind == FlagKind.SHUTOFF_HOLD:
            holds[flag.account_id].append(policy.Hold("shutoff_hold", flag.starts_on, flag.expires_on))
    # A leak-relief application under review pauses collection steps as a hold does (assistance sits below).
    for account_id, since in assistance_selectors.accounts_under_review(ids, on).items():
        holds[account_id].append(policy.Hold("leak_review", since))
    locked = locked_off_accounts(ids)
    arrangements: dict[int, list[Arrangement]] = defaultdict(list)
    for arrangement in Arrangement.objects.filter(account_id__in=ids).prefetch_related("installments"):
        arrangements[arrangement.account_id].append(arrangement)
    found = {}
    for account_id in ids:
        account = accounts.get(account_id)
        if account is None:
            continue
        kinds = {f.kind for f in flags[account_id] if _in_force(f, on)}
        sent = tuple(n for n in (_notice_sent(x, returned) for x in notices[account_id]) if n is not None)
        found[account_id] = policy.Facts(
            charges=charges[account_id],
            notices=sent,
            phone_contacts=tuple(
                policy.PhoneContact(c.on, c.policy_offered) for c in calls[account_id] if c.reached
            ),
            holds=tuple(holds[account_id]),
            arrangements=tuple(as_policy(a, charges[account_id], on) for a in arrangements[account_id]),
            medical=FlagKind.MEDICAL in kinds,
            # The law deems a low-income household (CalWORKs, CalFresh, Medi-Cal, SSI/SSP, WIC, under 200% of
            # the poverty line) unable to pay within the billing cycle (HSC 116910(a)(2)).
            hardship=FlagKind.LOW_INCOME in kinds,
            willing_to_arrange=any(c.willing_to_arrange for c in calls[account_id]),
            low_income=FlagKind.LOW_INCOME in kinds,
            needs_occupant_notice=needs_occupant_notice(account),
            active=account.status == AccountStatus.ACTIVE,
            locked_off=account_id in locked,
        )
    return found


def defaulted_on(arrangement: Arrangement, charges: tuple[policy.Charge, ...], on: date) -> date | None:
    """The day the arrangement was first missed and is still unpaid: the day after the due date of the oldest
    charge (an installment or a bill since it began) still open past its due date."""
    missed = [c.due for c in charges if c.open > 0 and c.due < on and c.due >= arrangement.starts_on]
    return min(missed) + timedelta(days=1) if missed else None


def as_policy(arrangement: Arrangement, charges: tuple[policy.Charge, ...], on: date) -> policy.Arrangement:
    last_due = max((i.due_on for i in arrangement.installments.all()), default=arrangement.starts_on)
    ended = (
        arrangement.ended_on
        if arrangement.status in (ArrangementStatus.CANCELLED, ArrangementStatus.COMPLETED)
        else None
    )
    return policy.Arrangement(
        starts_on=arrangement.starts_on, ends_on=last_due, defaulted_on=defaulted_on(arrangement, charges, on),
        cancelled_on=ended,
    )  # fmt: skip


def decision_for(account: Account, on: date, at: time | None = None) -> policy.Decision:
    """The policy's decision for one account on a day (at a time, when given)."""
    facts = facts_for([account.pk], on).get(account.pk, policy.Facts(active=False))
    return policy.decide(facts, policy_settings(), core_selectors.district_calendar(), on, at)


def account_notices(account: Account) -> list[Notice]:
    return list(account.collection_notices.select_related("correspondence", "order__order_type"))


def account_calls(account: Account) -> list[PhoneContact]:
    return list(account.collection_calls.select_related("created_by")[:20])


def account_holds(account: Account) -> list[Hold]:
    return list(account.collection_holds.select_related("opened_by", "closed_by"))


def account_arrangements(account: Account) -> list[Arrangement]:
    return list(account.arrangements.prefetch_related("installments").select_related("created_by"))


def lockoff_lists(limit: int = 30) -> list[LockoffList]:
    return list(LockoffList.objects.select_related("confirmed_by")[:limit])


def lockoff_candidates(lockoff_list: LockoffList) -> list[LockoffCandidate]:
    return list(
        lockoff_list.candidates.select_related(
            "account__customer", "account__premise", "order", "lockoff_list"
        )
    )


def lists_to_confirm() -> int:
    return LockoffList.objects.filter(status="proposed", candidates__included=True).distinct().count()


def shutoffs_by_month(year: int) -> list[tuple[date, int]]:
    """Lock-offs for nonpayment done in each month of `year` (the order's day in the field): the annual figure
    a district publishes and reports to the State Water Board (HSC 116920). A lock-off for nonpayment is one
    the collection steps sent (a lead's confirmed lock-off list)."""
    counts = dict.fromkeys(range(1, 13), 0)
    for day in ServiceOrder.objects.filter(
        order_type__code=LOCK_OFF, origin="collections", status__in=[OrderStatus.COMPLETED, OrderStatus.CLOSED],
        completed_on__year=year,
    ).values_list("completed_on", flat=True):  # fmt: skip
        counts[day.month] += 1
    return [(date(year, month, 1), count) for month, count in counts.items()]
