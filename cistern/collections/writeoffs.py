"""Final accounts: the final-bill notice, writing a final balance off to bad debt, referring written-off accounts
to a collection agency, and the agency's payments.

- A final account (service stopped, final bill issued) still owing `reminder_days` after the final bill's due
  date gets one "final bill past due" letter (the past-due reminder's template, `notice.final_bill` set), kept
  as a collections Notice of kind final_bill for the final bill's delinquency (the daily run sends them).
- Still owing more than the district's `write_off_days` after that due date, its balance may be written off: a
  journal entry debiting bad debt and crediting the receivable (no due date), posted at once within the actor's
  write-off authority limit, else waiting for a user whose limit covers it, not the requester. One waiting per
  account; a balance owed after a posted write-off may be written off again.
- Written-off accounts are referred to a collection agency once per account, in a CSV file kept as sent.
- An agency's payment reinstates what it collected of the written-off balance (receivable debit, bad debt
  credit), pays it (cash debit, receivable credit) and books the commission it kept (commission expense debit,
  cash credit): cash rises by what the agency remits, net. Journal entries, not payments.payment_post: its
  channels are a drawer's (a cashier's session) or a machine's (the processor, the IVR, the bank's lockbox file,
  autopay), each with its own permission and GL, and none is a collection agency remitting net of commission.

Services take the actor, check its permission, run in one transaction under the account's lock, and audit.
"""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from cistern.billing.models import Bill, BillKind
from cistern.core import clock, csvsafe, queues
from cistern.core.audit import audit_record
from cistern.core.bulk import reserve_ids
from cistern.core.money import format_money, money
from cistern.core.permissions import require
from cistern.core.selectors import authority_limit, district_settings
from cistern.correspondence import merge
from cistern.correspondence import services as letters
from cistern.customers.models import Account, AccountStatus
from cistern.customers.services import accounts_lock
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLRole, JournalLine
from cistern.ledger.services import Posting, journal_post
from cistern.payments.models import PaymentPart, PaymentStatus

from .models import (
    AgencyPayment,
    AgencyReferral,
    Notice,
    NoticeKind,
    ReferralBatch,
    ReferralStatus,
    WriteOff,
    WriteOffStatus,
)

ZERO = Decimal("0.00")
WRITE_OFF = "write_off"  # the journal entries' source kinds (source id: the WriteOff)
RECOVERY = "write_off_recovery"  # an agency's collection reinstated (source id: the AgencyPayment)
AGENCY_PAYMENT = "agency_payment"  # ... paid
AGENCY_COMMISSION = "agency_commission"  # ... the agency's commission
REFERRAL_HEADER = [
    "account",
    "name",
    "last_address",
    "phone",
    "amount",
    "last_payment_date",
    "final_bill_date",
]


class WriteOffError(Exception):
    """A write-off, referral or agency payment refused, with a message a clerk can act on."""


# --- reads ---------------------------------------------------------------------------------------------------


def _final_bills():
    return Bill.objects.filter(
        kind=BillKind.FINAL, cancellation__isnull=True, account__status=AccountStatus.FINAL
    )


def final_bills(account_ids=None, bills=None) -> dict[int, Bill]:
    """Each final account's final bill (not cancelled): {account id: bill}, of `bills` when given."""
    bills = (bills if bills is not None else _final_bills()).order_by("account_id", "-bill_date", "-id")
    if account_ids is not None:
        bills = bills.filter(account_id__in=list(account_ids))
    found: dict[int, Bill] = {}
    for bill in bills:
        found.setdefault(bill.account_id, bill)
    return found


def last_payment_dates(account_ids) -> dict[int, date]:
    """{account id: the day of its last payment}: posted payments and collection agencies' payments."""
    ids = list(account_ids)
    found: dict[int, date] = {}
    rows = (
        PaymentPart.objects.filter(account_id__in=ids, payment__status=PaymentStatus.POSTED)
        .values("account_id")
        .annotate(last=Max("payment__received_on"))
    )
    agency = (
        AgencyPayment.objects.filter(account_id__in=ids)
        .values("account_id")
        .annotate(last=Max("received_on"))
    )
    for row in [*rows, *agency]:
        found[row["account_id"]] = max(found.get(row["account_id"], row["last"]), row["last"])
    return found


def write_off_from(bill: Bill) -> date:
    """The first day a final bill's balance may be written off: more than `write_off_days` past its due date."""
    return bill.due_date + timedelta(days=district_settings().write_off_days + 1)


@dataclass
class Candidate:
    """A final account owing long enough to be written off, as the Write-offs page lists it."""

    account: Account
    final_bill: Bill
    amount: Decimal
    last_payment_date: date | None
    notices: list = field(default_factory=list)
    pending: WriteOff | None = None


def write_off_candidates(on: date) -> list[Candidate]:
    """Final accounts owing on `on` more than `write_off_days` after their final bill's due date, oldest final
    bill first, each with its final bill, last payment day, collection notices and any write-off waiting."""
    days = district_settings().write_off_days
    # Owing, asked of the database first: stopped accounts pile up over the years, nearly all of them settled.
    owed = (
        JournalLine.objects.filter(account_id=OuterRef("account_id"), gl_account__receivable=True)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    old = _final_bills().filter(due_date__lt=on - timedelta(days=days))
    bills = final_bills(bills=old.annotate(owed=Subquery(owed)).filter(owed__gt=Decimal("0.005")))
    balances = ledger_selectors.receivable_balances(bills)
    owing = [pk for pk in bills if balances.get(pk, ZERO) > 0]
    accounts = Account.objects.select_related("customer", "premise").in_bulk(owing)
    paid = last_payment_dates(owing)
    notices: dict[int, list] = {}
    for notice in Notice.objects.filter(account_id__in=owing).order_by("issued_on", "id"):
        notices.setdefault(notice.account_id, []).append(notice)
    pending = {
        w.account_id: w
        for w in WriteOff.objects.filter(account_id__in=owing, status=WriteOffStatus.PENDING).select_related(
            "requested_by"
        )
    }
    found = [
        Candidate(accounts[pk], bills[pk], balances[pk], paid.get(pk), notices.get(pk, []), pending.get(pk))
        for pk in owing
    ]
    return sorted(found, key=lambda c: (c.final_bill.due_date, c.account.number))


def pending_write_offs():
    return WriteOff.objects.filter(status=WriteOffStatus.PENDING).select_related(
        "account__customer", "requested_by", "final_bill"
    )


def recent_write_offs(limit: int = 50):
    return WriteOff.objects.exclude(status=WriteOffStatus.PENDING).select_related(
        "account__customer", "requested_by", "approved_by"
    )[:limit]


def waiting_for(user) -> int:
    """Write-offs waiting that `user` may approve: not their own, within their write-off limit."""
    limit = authority_limit(user=user, kind="write_off")
    waiting = WriteOff.objects.filter(status=WriteOffStatus.PENDING).exclude(requested_by=user)
    if limit.is_finite():
        waiting = waiting.filter(amount__lte=limit)
    return waiting.count()


def may_decide(user, write_off: WriteOff) -> bool:
    return (
        user.has_perm("collections.approve_writeoff")
        and write_off.requested_by_id != user.pk
        and write_off.amount <= authority_limit(user=user, kind="write_off")
    )


@dataclass(frozen=True)
class ToRefer:
    account: Account
    write_off: WriteOff  # the latest posted
    amount: Decimal  # what was written off (all posted write-offs of the account)


def to_refer() -> list[ToRefer]:
    """Written-off accounts not yet referred to an agency (an account is referred once)."""
    posted = (
        WriteOff.objects.filter(status=WriteOffStatus.POSTED)
        .exclude(account__agency_referrals__isnull=False)
        .select_related("account__customer")
        .order_by("account_id", "-requested_at", "-id")
    )
    found: dict[int, ToRefer] = {}
    for write_off in posted:
        known = found.get(write_off.account_id)
        amount = write_off.amount + (known.amount if known else ZERO)
        found[write_off.account_id] = ToRefer(
            write_off.account, known.write_off if known else write_off, amount
        )
    return sorted(found.values(), key=lambda r: r.account.number)


def referrals(limit: int = 200):
    return AgencyReferral.objects.select_related("account__customer", "batch")[:limit]


def referral_batches(limit: int = 20):
    return ReferralBatch.objects.select_related("created_by")[:limit]


# --- the final-bill notice -----------------------------------------------------------------------------------


def final_bill_notices(*, actor, on: date) -> int:
    """A "final bill past due" letter to each final account still owing `reminder_days` after its final bill's
    due date, once per final bill (its Notice row: kind final_bill, delinquent since the day after the due
    date). Returns how many were issued. The daily collection run calls it."""
    require(actor, "collections.run_collections")
    district = district_settings()
    # Final bills due `reminder_days` ago or more, but not so long ago that the balance is a write-off's matter
    # (the first run after this went in does not write to years of stopped accounts), with no notice since.
    sent = Notice.objects.filter(
        account_id=OuterRef("account_id"), kind=NoticeKind.FINAL_BILL, issued_on__gte=OuterRef("bill_date")
    )
    recent = _final_bills().filter(
        due_date__lte=on - timedelta(days=district.reminder_days),
        due_date__gte=on - timedelta(days=district.write_off_days),
    )
    bills = final_bills(bills=recent.exclude(Exists(sent)))
    if not bills:
        return 0
    balances = ledger_selectors.receivable_balances(bills)
    already = set(
        Notice.objects.filter(account_id__in=list(bills), kind=NoticeKind.FINAL_BILL).values_list(
            "account_id", "delinquent_since"
        )
    )
    due = [
        pk
        for pk, bill in bills.items()
        if balances.get(pk, ZERO) > 0 and (pk, bill.due_date + timedelta(days=1)) not in already
    ]
    if not due:
        return 0
    accounts = Account.objects.select_related("customer", "premise").in_bulk(due)
    requests, rows = [], []
    for pk in sorted(due):
        account, bill, amount = accounts[pk], bills[pk], balances[pk]
        since = bill.due_date + timedelta(days=1)
        customer = account.customer
        context = merge.account_context(account, on)
        context["notice"] = {
            "amount": format_money(amount), "mailed_on": on, "delinquent_since": since,
            "oldest_due": bill.due_date, "final_bill": True, "final_bill_date": bill.bill_date,
        }  # fmt: skip
        context["policy_phone"] = district.collections_phone or district.phone
        requests.append(
            letters.LetterRequest(
                template_code="past_due_reminder",
                context=context,
                recipient=merge.recipient_for_customer(account),
                account_id=pk,
                channel="email" if customer.paperless and customer.email else "letter",
                language=customer.preferred_language or "en",
                key=f"collections:{pk}:final_bill:{since.isoformat()}",
                source_kind="collection_notice",
            )  # fmt: skip
        )
        rows.append(
            Notice(
                account_id=pk,
                kind=NoticeKind.FINAL_BILL,
                delinquent_since=since,
                issued_on=on,
                delivered_on=on,
                amount=amount,
                created_by=actor,
            )  # fmt: skip
        )
    issued = letters.letters_issue(actor=actor, requests=requests, on=on)
    for row, letter in zip(rows, issued, strict=True):
        row.correspondence_id = letter.pk
    Notice.objects.bulk_create(rows)
    return len(rows)


# --- write-offs ----------------------------------------------------------------------------------------------


def _post(actor, write_off: WriteOff, on: date):
    memo = f"Written off to bad debt: {write_off.reason}"
    return journal_post(
        actor=actor, entry_date=on, memo=memo[:200], source_kind=WRITE_OFF, source_id=write_off.pk,
        reason=write_off.reason[:200],
        postings=[
            Posting(ledger_selectors.gl_code(GLRole.BAD_DEBT), write_off.amount),
            Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), -write_off.amount, write_off.account_id,
                    "Balance written off"),
        ],
    )  # fmt: skip


def write_off_request(*, actor, account: Account, reason: str, on: date | None = None) -> WriteOff:
    """Write off a final account's whole balance: posted at once within the actor's write-off limit, else left
    waiting for a lead whose limit covers it."""
    require(actor, "collections.add_writeoff")
    if not reason.strip():
        raise WriteOffError("Say why the balance is written off.")
    on = on or clock.today()
    with transaction.atomic():
        accounts_lock([account.pk])  # the balance written off is read under the account's lock
        account = Account.objects.get(pk=account.pk)
        if account.status != AccountStatus.FINAL:
            raise WriteOffError(
                f"Account {account.number} is not a final account: only a final balance is written off."
            )
        bill = final_bills([account.pk]).get(account.pk)
        if bill is None:
            raise WriteOffError(f"Account {account.number} has no final bill yet.")
        if on < write_off_from(bill):
            raise WriteOffError(
                f"Account {account.number}'s final bill was due {bill.due_date:%m/%d/%Y}: it may be written off "
                f"from {write_off_from(bill):%m/%d/%Y}."
            )
        if WriteOff.objects.filter(account=account, status=WriteOffStatus.PENDING).exists():
            raise WriteOffError(f"A write-off of account {account.number} is already waiting for approval.")
        amount = ledger_selectors.account_balance(account)
        if amount <= 0:
            raise WriteOffError(f"Account {account.number} owes nothing to write off.")
        limit = authority_limit(user=actor, kind="write_off")
        why = "" if amount <= limit else f"${amount:,.2f} is over your write-off limit of ${limit:,.2f}."
        write_off = WriteOff.objects.create(
            account=account, final_bill=bill, amount=amount, reason=reason.strip()[:300], requested_by=actor,
            why_approval=why,
        )  # fmt: skip
        if not why:  # its entry names the write-off, so the write-off is written first, then posted
            write_off.entry = _post(actor, write_off, on)
            write_off.status, write_off.approved_by, write_off.decided_at = (
                WriteOffStatus.POSTED,
                actor,
                timezone.now(),
            )
            write_off.save(update_fields=["entry", "status", "approved_by", "decided_at"])
        audit_record(
            actor=actor, action="write_off.request", obj=write_off, account_id=account.pk, reason=reason,
            after={"amount": str(amount), "status": write_off.status, "why_approval": why,
                   "entry": write_off.entry_id, "final_bill": bill.pk},
        )  # fmt: skip
    return write_off


def write_offs_request(*, actor, accounts, reason: str, on: date | None = None):
    """Several accounts picked on the page: each written off (or left waiting) on its own; returns (the
    write-offs made, [(account number, why refused)])."""
    done, refused = [], []
    for account in accounts:
        try:
            done.append(write_off_request(actor=actor, account=account, reason=reason, on=on))
        except WriteOffError as exc:
            refused.append((account.number, str(exc)))
    return done, refused


def write_off_decide(*, actor, write_off: WriteOff, approve: bool, note: str = "") -> WriteOff:
    """A lead approves (posts) or rejects a waiting write-off: not their own, and within their own limit. The
    balance is read again: one paid down since is not written off for more than it owes."""
    require(actor, "collections.approve_writeoff")
    with transaction.atomic():
        accounts_lock([write_off.account_id])  # one lock order: the account, then the write-off
        write_off = WriteOff.objects.select_for_update().select_related("account").get(pk=write_off.pk)
        if write_off.status != WriteOffStatus.PENDING:
            raise WriteOffError(f"This write-off is already {write_off.get_status_display().lower()}.")
        if write_off.requested_by_id == actor.pk:
            raise WriteOffError("Someone other than the requester approves a write-off.")
        if not approve and not note.strip():
            raise WriteOffError("Say why the write-off is rejected.")
        if approve:
            limit = authority_limit(user=actor, kind="write_off")
            if write_off.amount > limit:
                raise WriteOffError(
                    f"${write_off.amount:,.2f} is over your write-off limit of ${limit:,.2f}."
                )
            balance = ledger_selectors.account_balance(write_off.account)
            if balance < write_off.amount:
                raise WriteOffError(
                    f"Account {write_off.account.number} now owes ${balance:,.2f}, less than the "
                    f"${write_off.amount:,.2f} asked to write off: reject this one and write off the balance again."
                )
            write_off.entry = _post(actor, write_off, clock.today())
        before = {"status": write_off.status}
        write_off.status = WriteOffStatus.POSTED if approve else WriteOffStatus.REJECTED
        write_off.approved_by, write_off.decided_at, write_off.decision_note = (
            actor,
            timezone.now(),
            note.strip()[:200],
        )
        write_off.save(update_fields=["status", "approved_by", "decided_at", "decision_note", "entry"])
        audit_record(
            actor=actor, action="write_off.approve" if approve else "write_off.reject", obj=write_off,
            account_id=write_off.account_id, reason=note, before=before,
            after={"status": write_off.status, "entry": write_off.entry_id},
        )  # fmt: skip
    return write_off


# --- referral to a collection agency -------------------------------------------------------------------------


def _last_address(account: Account) -> str:
    """The forwarding address the stop left, else the customer's mailing address."""
    return account.forwarding_address or account.customer.mailing_address


def referrals_export(*, actor, agency: str, on: date | None = None) -> ReferralBatch | None:
    """Refer every written-off account not yet referred to `agency`: an AgencyReferral each and one CSV file
    (kept with the batch) with the header `REFERRAL_HEADER`. None when there is nobody to refer."""
    require(actor, "collections.export_agencyreferral")
    agency = agency.strip()
    if not agency:
        raise WriteOffError("Name the collection agency the accounts are referred to.")
    on = on or clock.today()
    with transaction.atomic():
        found = to_refer()
        if not found:
            return None
        ids = [r.account.pk for r in found]
        accounts_lock(ids)
        if AgencyReferral.objects.filter(account_id__in=ids).exists():  # referred meanwhile
            raise WriteOffError("Some of these accounts were referred just now: export again.")
        bills = final_bills(ids)
        paid = last_payment_dates(ids)
        out = io.StringIO()
        writer = csvsafe.writer(out, lineterminator="\n")
        writer.writerow(REFERRAL_HEADER)
        for r in found:
            account, customer, bill = r.account, r.account.customer, bills.get(r.account.pk)
            last = paid.get(account.pk)
            writer.writerow([
                account.number, customer.name, _last_address(account), customer.phone or customer.phone_alt,
                f"{r.amount:.2f}", last.isoformat() if last else "", bill.bill_date.isoformat() if bill else "",
            ])  # fmt: skip
        total = sum((r.amount for r in found), ZERO)
        batch = ReferralBatch.objects.create(
            agency=agency[:120], referred_on=on, count=len(found), total=total, content=out.getvalue(),
            created_by=actor,
        )  # fmt: skip
        AgencyReferral.objects.bulk_create([
            AgencyReferral(account=r.account, write_off=r.write_off, batch=batch, referred_on=on, agency=agency[:120],
                           amount=r.amount)
            for r in found
        ])  # fmt: skip
        audit_record(
            actor=actor, action="agency_referral.export", obj=batch, reason=f"Referred to {agency}",
            after={"accounts": [r.account.number for r in found], "total": str(total)},
        )  # fmt: skip
        for r in found:
            audit_record(
                actor=actor, action="agency_referral.refer", obj=batch, account_id=r.account.pk,
                after={"agency": agency, "amount": str(r.amount)}, reason=f"Referred to {agency}",
            )  # fmt: skip
    return batch


# --- a collection agency's payments --------------------------------------------------------------------------


def agency_payment_post(
    *, actor, account: Account, gross: Decimal, commission: Decimal, on: date, agency_reference: str
) -> AgencyPayment:
    """The agency collected `gross` on a referred account and keeps `commission` of it: the written-off balance
    is reinstated by `gross` (receivable debit, bad debt credit), paid (cash debit, receivable credit), and the
    commission booked (commission expense debit, cash credit), so cash rises by gross less commission. The
    referral's collected and commission are the sums of its payments; collected in full, it is paid."""
    require(actor, "collections.post_agencypayment")
    reference = agency_reference.strip()
    if not reference:
        raise WriteOffError("Give the agency's reference for this payment (its remittance or check number).")
    for name, value in (("gross", gross), ("commission", commission)):
        if not isinstance(value, Decimal) or not value.is_finite() or money(value) != value:
            raise WriteOffError(f"The {name} is an amount to the cent.")
    if gross <= 0:
        raise WriteOffError("The agency collected more than zero.")
    if commission < 0 or commission > gross:
        raise WriteOffError(f"The commission is between $0.00 and the ${gross:,.2f} collected.")
    with transaction.atomic():
        accounts_lock([account.pk])  # one lock order: the account, then its referral
        referral = AgencyReferral.objects.select_for_update().filter(account_id=account.pk).first()
        if referral is None:
            raise WriteOffError(f"Account {account.number} was not referred to a collection agency.")
        if AgencyPayment.objects.filter(referral=referral, agency_reference=reference).exists():
            raise WriteOffError(
                f"The agency's payment {reference} is already posted on account {account.number}."
            )
        if gross > referral.left:
            raise WriteOffError(
                f"${gross:,.2f} is more than the ${referral.left:,.2f} still owed of the ${referral.amount:,.2f} "
                f"referred."
            )
        (pk,) = reserve_ids(AgencyPayment, 1)
        code = ledger_selectors.gl_code
        receivable, cash = code(GLRole.RECEIVABLE), code(GLRole.CASH)
        what = f"{referral.agency} {reference}"
        recovery = journal_post(
            actor=actor, entry_date=on, memo=f"Written-off balance recovered by {what}"[:200], source_kind=RECOVERY,
            source_id=pk, reason=f"Collected by {referral.agency}"[:200],
            postings=[Posting(receivable, gross, account.pk, "Written-off balance recovered", on),
                      Posting(code(GLRole.BAD_DEBT), -gross)],
        )  # fmt: skip
        paid = journal_post(
            actor=actor, entry_date=on, memo=f"Collection agency payment {what}"[:200], source_kind=AGENCY_PAYMENT,
            source_id=pk, reason=f"Collected by {referral.agency}"[:200],
            postings=[Posting(cash, gross), Posting(receivable, -gross, account.pk, f"Agency payment {reference}"[:200])],
        )  # fmt: skip
        kept = None
        if commission > 0:
            kept = journal_post(
                actor=actor, entry_date=on, memo=f"Collection agency commission {what}"[:200],
                source_kind=AGENCY_COMMISSION, source_id=pk, reason=f"Kept by {referral.agency}"[:200],
                postings=[Posting(code(GLRole.AGENCY_COMMISSION), commission), Posting(cash, -commission)],
            )  # fmt: skip
        try:
            with transaction.atomic():
                payment = AgencyPayment.objects.create(
                    pk=pk, referral=referral, account=account, received_on=on, gross=gross, commission=commission,
                    agency_reference=reference[:60], recovery_entry=recovery, payment_entry=paid,
                    commission_entry=kept, created_by=actor,
                )  # fmt: skip
        except IntegrityError:
            raise WriteOffError(f"The agency's payment {reference} is already posted.") from None
        sums = AgencyPayment.objects.filter(referral=referral).aggregate(g=Sum("gross"), c=Sum("commission"))
        referral.collected, referral.commission = money(sums["g"] or 0), money(sums["c"] or 0)
        referral.status = (
            ReferralStatus.PAID if referral.collected >= referral.amount else ReferralStatus.REFERRED
        )
        referral.save(update_fields=["collected", "commission", "status"])
        audit_record(
            actor=actor, action="agency_payment.post", obj=payment, account_id=account.pk, reason=what,
            after={"gross": str(gross), "commission": str(commission), "net": str(gross - commission),
                   "collected": str(referral.collected), "entries": [recovery.pk, paid.pk, kept.pk if kept else None]},
        )  # fmt: skip
    return payment


def agency_payments(limit: int = 50):
    return AgencyPayment.objects.select_related("account", "referral")[:limit]


# --- the home page's queue -----------------------------------------------------------------------------------


write_offs_queue = queues.WorkQueue(
    key="write_offs", title="Write-offs to approve", permission="collections.approve_writeoff",
    count=waiting_for, url_name="collections:writeoffs",
    hint="Final balances over a lead's write-off limit, waiting for one whose limit covers them.",
)  # fmt: skip
